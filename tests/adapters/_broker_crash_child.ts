/**
 * The engine side of the broker crash test (broker_crash_test.ts): connects a broker adapter,
 * consumes one group whose handler appends each event id to a file (one `write` per id, which
 * survives a SIGKILL of this process) and then acknowledges, and, in `publish` mode, publishes
 * `count` events, appending each id to another file once the broker confirmed it.
 *
 * Usage: `deno run -A _broker_crash_child.ts <nats|rabbitmq|kafka|sqs> <publish|consume>
 * <namespace> <handled file> <published file> <count>`
 *
 * @module
 */

import type { Adapter, EventEnvelope } from "../../adapters/mod.ts";
import { createKafkaAdapter } from "../../adapters/kafka/mod.ts";
import { createNatsAdapter } from "../../adapters/nats/mod.ts";
import { createRabbitmqAdapter } from "../../adapters/rabbitmq/mod.ts";
import { createSqsAdapter } from "../../adapters/sqs/mod.ts";
import { brokerUrl } from "./_brokers.ts";

const [
  type = "",
  mode = "",
  namespace = "",
  handledPath = "",
  publishedPath = "",
  countText = "0",
] = Deno.args;
const count = Number(countText);
const PUBLISHERS = 32;
const encoder = new TextEncoder();

const adapter = open(type, namespace);
await adapter.start();
const handled = await Deno.open(handledPath, { append: true, create: true });
// In publish mode, handling waits until all events are published: all 10,000 are in flight when
// the test kills this process.
const allPublished = Promise.withResolvers<void>();
if (mode !== "publish") allPublished.resolve();
await adapter.subscribe("CrashTest", "crash.handler", async (delivery) => {
  await allPublished.promise;
  handled.writeSync(encoder.encode(`${delivery.envelope.id}\n`));
  await delivery.ack();
}, { concurrency: 16 });
if (mode === "publish") {
  const published = await Deno.open(publishedPath, { append: true, create: true });
  let next = 0;
  await Promise.all(Array.from({ length: PUBLISHERS }, async () => {
    while (next < count) {
      const n = next++;
      await adapter.publish(envelope(n));
      published.writeSync(encoder.encode(`event-${n}\n`));
    }
  }));
  allPublished.resolve();
}
// Runs until the test kills it.
setInterval(() => {}, 60_000);

function open(type: string, namespace: string): Adapter {
  const env = {};
  switch (type) {
    case "nats":
      // Short redelivery timers: the killed engine's unacked deliveries come back sooner.
      return createNatsAdapter({ url: brokerUrl("nats"), ack_wait_ms: 5000 }, {
        service: namespace,
        env,
      });
    case "rabbitmq":
      return createRabbitmqAdapter({ url: brokerUrl("rabbitmq") }, { service: namespace, env });
    case "kafka":
      return createKafkaAdapter({ brokers: brokerUrl("kafka") }, { service: namespace, env });
    case "sqs":
      return createSqsAdapter(
        {
          endpoint: brokerUrl("sqs"),
          queue_prefix: `${namespace}-`,
          wait_time_s: 1,
          visibility_timeout_s: 5,
        },
        { env },
      );
    default:
      throw new Error(`Unknown adapter "${type}"`);
  }
}

function envelope(n: number): EventEnvelope {
  return {
    id: `event-${n}`,
    topic: "CrashTest",
    payload: { n, padding: "x".repeat(200) },
    timestamp: new Date().toISOString(),
    metadata: { trace_id: `trace-${n}`, parent_id: null, source: "workbench", attempt: 1 },
  };
}
