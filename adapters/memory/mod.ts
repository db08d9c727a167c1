/**
 * The `memory` adapter: in-process, no dependencies, not durable. See
 * {@linkcode createMemoryAdapter} for its guarantees.
 *
 * @module
 */

export { createMemoryAdapter } from "./memory_adapter.ts";
export type { MemoryAdapter, MemoryAdapterOptions } from "./memory_adapter.ts";
export { ManualClock, systemClock } from "./clock.ts";
export type { Clock } from "./clock.ts";
