import { adapterConformance } from "../../adapters/mod.ts";
import type { Delivery, EventEnvelope } from "../../adapters/mod.ts";
import { createKafkaAdapter } from "../../adapters/kafka/mod.ts";
import { brokerUrl, restartBroker } from "./_brokers.ts";
import { brokerCrashTest } from "./_broker_crash.ts";
import { flowConformance } from "../../engine/mod.ts";
import { kafkaGroupExists } from "./_groups.ts";

// Needs Kafka: scripts/brokers/start.sh kafka (ROHAS_TEST_KAFKA_BROKERS overrides the address).
const service = `conformance_${crypto.randomUUID().slice(0, 8)}`;
const create = () =>
  Promise.resolve(createKafkaAdapter({ brokers: brokerUrl("kafka") }, { service, env: {} }));

Deno.test("the kafka adapter conforms to the delivery contract", (t) =>
  adapterConformance(t, { create, timeoutMs: 20_000, groupExists: kafkaGroupExists(service) }));

// The suite's broker-restart case, run here with the op sanitizer off: after a broker restart
// kafkajs 2.2.4 leaves a request-queue timer of a dead connection behind even once disconnected.
Deno.test({
  name: "kafka adapter loses nothing when the broker restarts mid-stream",
  sanitizeOps: false,
  fn: async () => {
    const adapter = await create();
    await adapter.start();
    try {
      const topic = `Restart_${crypto.randomUUID().slice(0, 8)}`;
      const seen = new Set<string>();
      let wake = () => {};
      await adapter.subscribe(topic, "conformance.g1", async (delivery: Delivery) => {
        await delivery.ack();
        seen.add(delivery.envelope.id);
        wake();
      });
      const sent = [...await publish(adapter, topic, 5)];
      await until(() => sent.every((id) => seen.has(id)), (resolve) => wake = resolve);
      await restartBroker("kafka");
      sent.push(...await publish(adapter, topic, 5));
      await until(() => sent.every((id) => seen.has(id)), (resolve) => wake = resolve);
      if (seen.size !== sent.length) {
        throw new Error(`Expected ${sent.length} events, got ${seen.size}`);
      }
    } finally {
      await adapter.close();
    }
  },
});

async function publish(
  adapter: Awaited<ReturnType<typeof create>>,
  topic: string,
  count: number,
): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 0; n < count; n++) {
    const envelope: EventEnvelope = {
      id: crypto.randomUUID(),
      topic,
      payload: { n },
      timestamp: new Date().toISOString(),
      metadata: { trace_id: crypto.randomUUID(), parent_id: null, source: "workbench", attempt: 1 },
    };
    await adapter.publish(envelope);
    ids.push(envelope.id);
  }
  return ids;
}

/** Waits (30 s at most) until `done()` holds, re-checking whenever `arm`'s callback is called. */
async function until(done: () => boolean, arm: (wake: () => void) => void): Promise<void> {
  const end = Date.now() + 30_000;
  while (!done()) {
    if (Date.now() > end) throw new Error("Timed out waiting for the events");
    let timer: ReturnType<typeof setTimeout> | undefined;
    await new Promise<void>((resolve) => {
      arm(resolve);
      timer = setTimeout(resolve, 250);
    });
    clearTimeout(timer);
  }
}

brokerCrashTest("kafka");

Deno.test("the engine's flow controls hold on the kafka adapter", (t) =>
  flowConformance(t, { create }));
