/**
 * The `kafka` adapter: Apache Kafka through kafkajs. See README.md for its guarantees.
 *
 * @module
 */

export { createKafkaAdapter, type KafkaAdapterOptions } from "./kafka_adapter.ts";
