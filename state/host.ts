/**
 * The owner's side of `state.kv`: the one process that opened the store answers the operations of
 * every asker away from it (handler Workers, edge processes, the Python host), which reach it as
 * {@linkcode KvRequest}s over the channel each already has. A request comes from handler code, so it
 * is checked here as `kvOver` checks a local call (keys, JSON values, expiries) before it reaches the
 * backend: a handler can do through its channel what `state.kv` offers and nothing more.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { createMemoryKvBackend, createRemoteKvBackend, hostBackend, kvOver } from "./mod.ts";
 * const host = hostBackend(createMemoryKvBackend());
 * const asker = kvOver(createRemoteKvBackend((request) => host.answer(request)));
 * await asker.set(["visits"], 1);
 * equal((await host.kv.get(["visits"])).value, 1);
 * await host.close();
 * ```
 *
 * @module
 */

import { checkKey, compareKeys } from "./_keys.ts";
import {
  type KvBackend,
  type KvListQuery,
  kvOver,
  setMutation,
  type StoredEntry,
} from "./backend.ts";
import { KvInputError } from "./errors.ts";
import type { Kv, KvCheck, KvKey, KvMutation } from "./kv.ts";
import { answerKvRequest, type KvRequest, type KvResponse } from "./remote.ts";

/** A store and the answering of forwarded operations on it. */
export interface KvHost {
  /** The store, for handlers running in the owner's own isolate. */
  readonly kv: Kv;
  /**
   * Checks a forwarded operation and runs it.
   *
   * @param request what an asker sent (untrusted: it came from handler code)
   * @returns the answer
   * @throws {KvInputError} when the request is malformed; the backend's errors as they are
   */
  answer(request: unknown): Promise<KvResponse>;
}

/**
 * Hosts a backend: local callers get `kvOver(backend)`, askers are answered from it directly.
 *
 * @param backend the opened backend (closed by `close()`)
 * @returns the host
 */
export function hostBackend(backend: KvBackend): KvHost & { close(): Promise<void> } {
  const kv = kvOver(backend);
  return {
    kv,
    answer: async (request) => await answerKvRequest(backend, checkRequest(request)),
    close: () => backend.close(),
  };
}

/**
 * Hosts a {@linkcode Kv} of the caller's (an override): askers are answered through its own
 * methods. It stays the caller's to close.
 *
 * @param kv the store
 * @returns the host
 */
export function hostKv(kv: Kv): KvHost {
  const backend = backendOver(kv);
  return { kv, answer: async (request) => await answerKvRequest(backend, checkRequest(request)) };
}

/** A backend that runs each operation through a Kv's own methods. */
function backendOver(kv: Kv): KvBackend {
  return {
    type: kv.type,
    async get(key) {
      const entry = await kv.get(key);
      return entry.versionstamp === null ? null : entry;
    },
    list: (query) => listAfter(kv, query),
    commit(checks, mutations) {
      const op = kv.atomic().check(...checks);
      for (const m of mutations) {
        if (m.type === "set") op.set(m.key, m.value, expiry(m.expireIn));
        else op.delete(m.key);
      }
      return op.commit();
    },
    close: () => Promise.resolve(),
  };
}

function expiry(expireIn: number | undefined): { expireIn?: number } {
  return expireIn === undefined ? {} : { expireIn };
}

/** A Kv lists from the start only: entries up to `after` are skipped. */
async function* listAfter(kv: Kv, query: KvListQuery): AsyncIterable<StoredEntry> {
  const { prefix, reverse, after } = query;
  let left = query.limit ?? Infinity;
  if (left <= 0) return;
  for await (const entry of kv.list({ prefix }, { reverse })) {
    if (after !== null && compareKeys(entry.key, after) * (reverse ? -1 : 1) <= 0) continue;
    yield entry;
    if (--left <= 0) return;
  }
}

/** A forwarded request, checked part by part (JSON nulls read as absent options). */
function checkRequest(request: unknown): KvRequest {
  const r = (request ?? {}) as Record<string, unknown>;
  switch (r.op) {
    case "get":
      checkKey(r.key);
      return { op: "get", key: r.key };
    case "list":
      return { op: "list", query: checkQuery(r.query) };
    case "commit":
      return {
        op: "commit",
        checks: checkChecks(r.checks),
        mutations: checkMutations(r.mutations),
      };
    default:
      throw new KvInputError(`Invalid state request: unknown operation ${JSON.stringify(r.op)}`);
  }
}

function checkQuery(query: unknown): KvListQuery {
  const q = (query ?? {}) as Record<string, unknown>;
  checkKey(q.prefix, { allowEmpty: true });
  const limit = q.limit ?? undefined;
  if (limit !== undefined && !(Number.isInteger(limit) && (limit as number) >= 0)) {
    throw new KvInputError(`Invalid limit ${limit}: expected an integer from 0`);
  }
  const after = q.after ?? null;
  if (after !== null) checkKey(after);
  return {
    prefix: q.prefix,
    limit: limit as number | undefined,
    reverse: q.reverse === true,
    after: after as KvKey | null,
  };
}

function checkChecks(checks: unknown): KvCheck[] {
  return arrayOf(checks, "checks").map((check) => {
    const c = (check ?? {}) as Record<string, unknown>;
    checkKey(c.key);
    const versionstamp = c.versionstamp ?? null;
    if (versionstamp !== null && typeof versionstamp !== "string") {
      throw new KvInputError("Invalid check: versionstamp must be a string or null");
    }
    return { key: c.key, versionstamp };
  });
}

function checkMutations(mutations: unknown): KvMutation[] {
  return arrayOf(mutations, "mutations").map((mutation) => {
    const m = (mutation ?? {}) as Record<string, unknown>;
    if (m.type === "set") {
      return setMutation(m.key as KvKey, m.value, (m.expireIn ?? undefined) as number | undefined);
    }
    if (m.type === "delete") {
      checkKey(m.key);
      return { type: "delete", key: m.key };
    }
    throw new KvInputError(
      `Invalid mutation type ${JSON.stringify(m.type)}: expected "set" or "delete"`,
    );
  });
}

function arrayOf(value: unknown, what: string): unknown[] {
  if (Array.isArray(value)) return value;
  throw new KvInputError(`Invalid state request: ${what} must be an array`);
}
