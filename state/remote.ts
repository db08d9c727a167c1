/**
 * `state.kv` for code that runs away from the process owning the store: handler Workers, edge
 * processes and the Python host send each backend operation as a {@linkcode KvRequest} over the
 * channel they already have, and the owner answers it with {@linkcode answerKvRequest}. Only the
 * owner holds the store's connection and credentials; a handler can do through its channel what
 * `state.kv` offers and nothing more.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { answerKvRequest, createMemoryKvBackend, createRemoteKvBackend, kvOver } from "./mod.ts";
 * const owner = createMemoryKvBackend();
 * // Here the "channel" is a function call; in the engine it is a postMessage or a socket.
 * const kv = kvOver(createRemoteKvBackend((request) => answerKvRequest(owner, request)));
 * await kv.set(["greeting"], "hello");
 * assertEquals((await owner.get(["greeting"]))?.value, "hello");
 * ```
 *
 * @module
 */

import type { KvBackend, KvListQuery, StoredEntry } from "./backend.ts";
import type { KvCheck, KvCommitResult, KvKey, KvMutation } from "./kv.ts";

/** Entries per `list` answer; the asker continues after the last one. */
export const KV_PAGE_SIZE = 500;

/** One backend operation, as JSON. */
export type KvRequest =
  | { op: "get"; key: KvKey }
  | { op: "list"; query: KvListQuery }
  | { op: "commit"; checks: KvCheck[]; mutations: KvMutation[] };

/** The answer to a {@linkcode KvRequest}, as JSON (errors travel as the channel's own errors). */
export type KvResponse =
  | { op: "get"; entry: StoredEntry | null }
  | { op: "list"; entries: StoredEntry[]; more: boolean }
  | { op: "commit"; result: KvCommitResult };

/**
 * A backend that forwards every operation through `send`.
 *
 * @param send delivers a request to the owner and resolves with its answer (rejects with its error)
 * @returns the backend; `close()` closes nothing (the owner's store outlives its askers)
 */
export function createRemoteKvBackend(
  send: (request: KvRequest) => Promise<KvResponse>,
): KvBackend {
  const ask = async <T extends KvResponse["op"]>(request: KvRequest & { op: T }) =>
    (await send(request)) as Extract<KvResponse, { op: T }>;
  return {
    type: "remote",
    get: async (key) => (await ask({ op: "get", key: [...key] })).entry,
    async *list(query) {
      let after = query.after;
      let left = query.limit ?? Infinity;
      while (left > 0) {
        const page = await ask({ op: "list", query: { ...query, limit: limitOf(left), after } });
        yield* page.entries;
        left -= page.entries.length;
        if (!page.more || page.entries.length === 0) return;
        after = page.entries.at(-1)!.key;
      }
    },
    commit: async (checks, mutations) =>
      (await ask({ op: "commit", checks: [...checks], mutations: [...mutations] })).result,
    close: () => Promise.resolve(),
  };
}

/**
 * Runs a forwarded operation against the owner's backend.
 *
 * @param backend the store's backend (checks already ran on the asking side and run again in
 * `kvOver` only for local callers, so the owner passes requests straight through)
 * @param request the operation
 * @returns its answer
 */
export async function answerKvRequest(backend: KvBackend, request: KvRequest): Promise<KvResponse> {
  switch (request.op) {
    case "get":
      return { op: "get", entry: await backend.get(request.key) };
    case "commit":
      return { op: "commit", result: await backend.commit(request.checks, request.mutations) };
    case "list":
      return { op: "list", ...await listPage(backend, request.query) };
  }
}

function limitOf(left: number): number {
  return Math.min(left, KV_PAGE_SIZE);
}

/** One page of at most {@linkcode KV_PAGE_SIZE} entries, and whether more may follow. */
async function listPage(
  backend: KvBackend,
  query: KvListQuery,
): Promise<{ entries: StoredEntry[]; more: boolean }> {
  const limit = Math.min(query.limit ?? KV_PAGE_SIZE, KV_PAGE_SIZE);
  const entries: StoredEntry[] = [];
  // One more than the page, to know whether to say "more".
  for await (const entry of backend.list({ ...query, limit: limit + 1 })) entries.push(entry);
  return { entries: entries.slice(0, limit), more: entries.length > limit };
}
