/**
 * Messages between the Python runtime (engine side) and its Worker, which owns libpython.
 * Calls and their replies travel as JSON text the Python bridge reads and writes directly.
 *
 * @module
 */

import type { SerializedError } from "../contract.ts";

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

/** Engine to worker. */
export type ToWorker =
  | { type: "start"; candidates: LibraryCandidate[]; root: string; bridgeUrl: string }
  /** One bridge message (`invoke`, `reload`, `cancel`, `close`) as JSON. */
  | { type: "submit"; json: string }
  /** After the bridge confirmed `close`: wait for its thread, release the callback. */
  | { type: "shutdown" }
  /** The bridge did not confirm `close` in time (a handler blocks its loop): give up on it. */
  | { type: "abandon" };

/** Worker to engine. */
export type FromWorker =
  | { type: "ready"; library: string }
  /** `library`: no candidate loaded (`tried` says why); `start`: Python or the bridge failed. */
  | { type: "failed"; stage: "library" | "start"; error: SerializedError; tried: string[] }
  /** A bridge reply as JSON: `{ id, ok, ... }`. */
  | { type: "reply"; json: string }
  | { type: "closed" };
