/**
 * Messages between the Python runtime (in the server) and its host process, which owns libpython.
 * Both directions are JSON lines over the host's stdin and stdout: first a start line and the host's
 * hello, then bridge messages (`invoke`, `reload`, `cancel`, `blocker`, `close`, each with an `id`)
 * one way and their replies the other, batched on both sides. An `invoke` carries its handler's
 * number `h`, and the handler itself the first time the host sees that number.
 *
 * @module
 */

import type { Effect, SerializedError } from "../contract.ts";

/** A libpython to try, with the home and extra `sys.path` entries that belong to it. */
export interface LibraryCandidate {
  /** A path, or a bare soname for the dynamic loader to search. */
  path: string;
  /** `sys.base_prefix` of the interpreter the library belongs to, when known. */
  home: string | null;
  /** Entries put at the front of `sys.path` (the project's `.venv` site-packages). */
  front: string[];
  /** Entries appended to `sys.path` (the interpreter's own site-packages). */
  paths: string[];
}

/** The first line the server writes to a new host. */
export interface HostStart {
  /** Libraries to try, in order. */
  candidates: LibraryCandidate[];
  /** The project root; `<root>/src` goes on `sys.path`. */
  root: string;
  /** The source of `_bridge.py`. */
  bridge: string;
  /** Worker threads for sync (`def`) handlers. Default in the bridge: 64. */
  syncThreads?: number;
}

/** The first line a host writes: the interpreter is up, or why it is not. */
export type HostHello =
  | { type: "ready"; library: string }
  /** `library`: no candidate loaded (`tried` says why); `start`: Python or the bridge failed. */
  | { type: "failed"; stage: "library" | "start"; error: SerializedError; tried: string[] };

/**
 * A bridge reply (see `_bridge.py`). On the wire a handler call's output follows its reply after a
 * tab, and arrives here as `json`, the text to answer with; other replies carry `output` inline.
 */
export type Reply =
  | { id: number; ok: true; output?: unknown; json?: string; effects?: Effect[] }
  | {
    id: number;
    ok: false;
    reason?: "error" | "not_found";
    error: SerializedError;
    effects?: Effect[];
  };

/**
 * A `state.kv` operation of a Python handler: the host holds no store, the server owns it and
 * answers with `{ op: "kv_answer", id, response }` (or `error`). Ids are the bridge's own.
 */
export interface KvAsk {
  op: "kv";
  id: number;
  /** A `KvRequest` (state/remote.ts), checked by the server: it comes from handler code. */
  request: unknown;
}
