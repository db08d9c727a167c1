/**
 * Opens the `[state]` backend a config names, importing only its own module (and so its client):
 * a project on the embedded default never loads the NATS or PostgreSQL clients.
 *
 * @module
 */

import { isAbsolute, join } from "node:path";
import type { StateSection } from "../project/mod.ts";
import { type KvBackend, kvOver, type OwnedKv } from "./backend.ts";
import { StateError } from "./errors.ts";
import { importOnDemand } from "../_import_on_demand.ts";

/** Options of {@linkcode openState}. */
export interface OpenStateOptions {
  /** The project root, for a relative `denokv` path. */
  root: string;
  /** Keeps one project's entries apart from another's on a shared server: the project's name. */
  namespace: string;
}

/**
 * The shared state of a project.
 *
 * @param section `[state]`
 * @param options project root and namespace
 * @returns the store handlers see as `state.kv`; close it when the app stops
 * @throws {StateError} when the backend cannot be opened (the message names it and why)
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { openState } from "./open_state.ts";
 * const kv = await openState({ type: "memory", path: "", url: "" }, { root: ".", namespace: "demo" });
 * await kv.set(["visits"], 1);
 * assertEquals((await kv.get(["visits"])).value, 1);
 * await kv.close();
 * ```
 */
export async function openState(
  section: StateSection,
  options: OpenStateOptions,
): Promise<OwnedKv> {
  return kvOver(await openStateBackend(section, options));
}

/**
 * The backend of a project's shared state, for the process that owns it and answers the others
 * (see `host.ts`).
 *
 * @param section `[state]`
 * @param options project root and namespace
 * @returns the backend; close it when the app stops
 * @throws {StateError} when the backend cannot be opened (the message names it and why)
 */
export async function openStateBackend(
  section: StateSection,
  options: OpenStateOptions,
): Promise<KvBackend> {
  switch (section.type) {
    case "memory": {
      const { createMemoryKvBackend } = await import("./memory_backend.ts");
      return createMemoryKvBackend();
    }
    case "denokv": {
      const { openDenoKvBackend } = await import("./denokv_backend.ts");
      return await openDenoKvBackend({ path: denoKvPath(section, options.root) });
    }
    case "nats": {
      const { openNatsKvBackend } = await importOnDemand<typeof import("./nats_backend.ts")>(
        "./nats_backend.ts",
        import.meta.url,
      );
      const url = required(section, "nats://127.0.0.1:4222");
      return await openNatsKvBackend({ url, namespace: options.namespace });
    }
    case "postgres": {
      const { openPostgresKvBackend } = await importOnDemand<
        typeof import("./postgres_backend.ts")
      >("./postgres_backend.ts", import.meta.url);
      const url = required(section, "postgres://user@127.0.0.1:5432/app");
      return await openPostgresKvBackend({ url, namespace: options.namespace });
    }
  }
}

/** A remote Deno KV by URL; else the file, created with its folder. */
function denoKvPath(section: StateSection, root: string): string {
  if (section.url !== "") return section.url;
  const path = isAbsolute(section.path) ? section.path : join(root, section.path);
  Deno.mkdirSync(join(path, ".."), { recursive: true });
  return path;
}

function required(section: StateSection, example: string): string {
  if (section.url !== "") return section.url;
  throw new StateError(
    `Cannot open the "${section.type}" state backend: [state] url is not set (for example url = "${example}", or ROHAS_STATE_URL)`,
  );
}
