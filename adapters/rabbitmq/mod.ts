/**
 * The `rabbitmq` adapter: RabbitMQ quorum queues with publisher confirms. See README.md for its
 * guarantees.
 *
 * @module
 */

export { createRabbitmqAdapter, type RabbitmqAdapterOptions } from "./rabbitmq_adapter.ts";
