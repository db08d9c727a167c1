// The flow limits (`concurrency`, `rate`, `throttle`) on every adapter but memory (which runs them
// in engine/limits/conformance_test.ts): two engine instances per broker share one state store;
// the embedded adapters keep events in one process, so one instance runs there.
import { createNatsAdapter } from "../../adapters/nats/mod.ts";
import { createRabbitmqAdapter } from "../../adapters/rabbitmq/mod.ts";
import { createKafkaAdapter } from "../../adapters/kafka/mod.ts";
import { createSqsAdapter } from "../../adapters/sqs/mod.ts";
import { createDenokvAdapter } from "../../adapters/denokv/mod.ts";
import { createRocksdbAdapter } from "../../adapters/rocksdb/mod.ts";
import type { Adapter } from "../../adapters/mod.ts";
import { limitsConformance } from "../../engine/limits/conformance.ts";
import { brokerUrl } from "./_brokers.ts";

const service = `limits_${crypto.randomUUID().slice(0, 8)}`;
const env = {};

const BROKERS: [string, () => Adapter][] = [
  ["nats", () => createNatsAdapter({ url: brokerUrl("nats") }, { service, env })],
  ["rabbitmq", () => createRabbitmqAdapter({ url: brokerUrl("rabbitmq") }, { service, env })],
  ["kafka", () => createKafkaAdapter({ brokers: brokerUrl("kafka") }, { service, env })],
  ["sqs", () =>
    createSqsAdapter({
      endpoint: brokerUrl("sqs"),
      queue_prefix: `l${service.slice(7)}-`,
      wait_time_s: 1,
    }, { env })],
];

for (const [name, create] of BROKERS) {
  Deno.test(`the ${name} adapter enforces the flow limits across two instances`, (t) =>
    limitsConformance(t, { create: () => Promise.resolve(create()), timeoutMs: 60_000 }));
}

const dir = await Deno.makeTempDir({ prefix: "rohas-limits-" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

Deno.test("the denokv adapter enforces the flow limits", (t) =>
  limitsConformance(t, {
    create: () => Promise.resolve(createDenokvAdapter({ path: `${dir}/events.kv` })),
    singleProcess: true,
  }));

Deno.test("the rocksdb adapter enforces the flow limits", (t) =>
  limitsConformance(t, {
    create: () => Promise.resolve(createRocksdbAdapter({ path: `${dir}/rocksdb` })),
    singleProcess: true,
  }));
