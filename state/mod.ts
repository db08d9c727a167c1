/**
 * Shared state (`state.kv`): the {@linkcode Kv} handlers use, the {@linkcode KvBackend} boundary,
 * its backends (`memory`, `denokv`, `nats`, `postgres`) and their conformance suite.
 *
 * @module
 */

export type {
  Kv,
  KvAtomic,
  KvCheck,
  KvCommitResult,
  KvEntry,
  KvEntryMaybe,
  KvKey,
  KvKeyPart,
  KvListOptions,
  KvMutation,
  KvSetOptions,
} from "./kv.ts";
export { MAX_VALUE_BYTES } from "./kv.ts";
export type { KvBackend, KvListQuery, OwnedKv, StoredEntry } from "./backend.ts";
export { kvOver, versionstampOf } from "./backend.ts";
export { compareKeys, decodeKey, encodeKey } from "./_keys.ts";
export { createMemoryKvBackend, type MemoryKvOptions } from "./memory_backend.ts";
export { type DenoKvBackendOptions, openDenoKvBackend } from "./denokv_backend.ts";
export { type KvConformanceOptions, runKvConformance } from "./conformance.ts";
export {
  KvInputError,
  KvUnsupportedError,
  reviveStateError,
  StateError,
  UnknownStateTypeError,
} from "./errors.ts";
export { openState, openStateBackend, type OpenStateOptions } from "./open_state.ts";
export { hostBackend, hostKv, type KvHost } from "./host.ts";
export {
  answerKvRequest,
  createRemoteKvBackend,
  KV_PAGE_SIZE,
  type KvRequest,
  type KvResponse,
} from "./remote.ts";
