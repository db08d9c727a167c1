/**
 * What the Deno KV users of the project share (the `denokv` adapter and the `denokv` state
 * backend): retrying an operation while another process holds the KV file's write lock.
 *
 * @module
 */

export { isLocked, whileLocked } from "./while_locked.ts";
