/**
 * Where the local brokers listen: the `ROHAS_TEST_*` variables of env.sh, else the ports start.sh
 * uses. Shared by the adapter tests and the benchmarks.
 *
 * @module
 */

/**
 * The URL of a local broker: the `ROHAS_TEST_*` variable, or the port start.sh uses.
 *
 * @param name the broker
 * @returns its URL (Kafka: its bootstrap address)
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { brokerUrl } from "./urls.ts";
 *
 * assert(brokerUrl("nats").startsWith("nats://"));
 * ```
 */
export function brokerUrl(name: "nats" | "rabbitmq" | "kafka" | "sqs" | "moto"): string {
  switch (name) {
    case "nats":
      return Deno.env.get("ROHAS_TEST_NATS_URL") ?? "nats://127.0.0.1:14222";
    case "rabbitmq":
      return Deno.env.get("ROHAS_TEST_AMQP_URL") ?? "amqp://guest:guest@127.0.0.1:5673";
    case "kafka":
      return Deno.env.get("ROHAS_TEST_KAFKA_BROKERS") ?? "127.0.0.1:19092";
    case "sqs":
      return Deno.env.get("ROHAS_TEST_SQS_ENDPOINT") ?? "http://127.0.0.1:19324";
    case "moto":
      return Deno.env.get("ROHAS_TEST_AWS_ENDPOINT") ?? "http://127.0.0.1:19400";
  }
}
