/**
 * The `nats` adapter: NATS JetStream. See README.md for its guarantees.
 *
 * @module
 */

export { createNatsAdapter, type NatsAdapterOptions } from "./nats_adapter.ts";
