import * as assert from "node:assert/strict";
import type { Adapter } from "../../adapters/mod.ts";
import { createAdapter } from "../../adapters/mod.ts";
import type { AdapterSection } from "../../project/mod.ts";
import { ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { brokerUrl } from "./_brokers.ts";
import { deadline, envelope } from "./_embedded.ts";

// Needs NATS with JetStream: scripts/brokers/start.sh nats (ROHAS_TEST_NATS_URL overrides the URL).

function section(type: string, settings: Record<string, unknown> = {}): AdapterSection {
  return {
    type,
    buffer_size: 1000,
    max_attempts: 5,
    backoff_ms: 500,
    max_backoff_ms: 60000,
    settings,
  };
}

async function started(
  config: AdapterSection,
  options: Parameters<typeof createAdapter>[1],
): Promise<Adapter & AsyncDisposable> {
  const adapter = await createAdapter(config, options);
  await adapter.start();
  return Object.assign(adapter, { [Symbol.asyncDispose]: () => adapter.close() });
}

/** Subscribes an acknowledging handler recording payloads; `until` resolves once `want` arrived. */
async function record(adapter: Adapter, want: unknown) {
  const payloads: unknown[] = [];
  const arrived = Promise.withResolvers<void>();
  await adapter.subscribe("Ping", "app.on_ping", async (delivery) => {
    await delivery.ack();
    payloads.push(delivery.envelope.payload);
    if (delivery.envelope.payload === want) arrived.resolve();
  });
  return { payloads, until: () => deadline(arrived.promise, `payload "${want}"`) };
}

Deno.test("createAdapter() keeps two services on one NATS broker apart by their service name", async () => {
  const tag = crypto.randomUUID().slice(0, 8);
  const nats = section("nats", { url: brokerUrl("nats") });
  await using alpha = await started(nats, { service: `alpha_${tag}` });
  await using beta = await started(nats, { service: `beta_${tag}` });
  const seenByAlpha = await record(alpha, "a");
  await beta.publish(envelope("Ping", "b"));
  await alpha.publish(envelope("Ping", "a"));
  await seenByAlpha.until();
  // On one shared stream, alpha's group would have been handed "b", published first, before "a".
  assert.deepEqual(seenByAlpha.payloads, ["a"]);
});

for (const type of ["memory", "nats"]) {
  Deno.test(`createAdapter() hands the ${type} adapter's background errors to onError`, async () => {
    const errors = Promise.withResolvers<unknown>();
    const config = section(type, type === "nats" ? { url: brokerUrl("nats") } : {});
    const service = `errors_${crypto.randomUUID().slice(0, 8)}`;
    await using adapter = await started(config, { service, onError: errors.resolve });
    const late = new Error("Thrown after the ack");
    await adapter.subscribe("Ping", "app.on_ping", async (delivery) => {
      await delivery.ack();
      throw late;
    });
    await adapter.publish(envelope("Ping", { n: 1 }));
    assert.equal(await deadline(errors.promise, "the handler's error"), late);
  });
}

Deno.test('createAdapter() names the SQS queues of a project called "my.app" as SQS allows', async () => {
  const tag = crypto.randomUUID().slice(0, 6);
  const sqs = section("sqs", { endpoint: brokerUrl("sqs"), wait_time_s: 1 });
  await using adapter = await started(sqs, { service: `my.app ${tag}` });
  const seen = await record(adapter, "x");
  await adapter.publish(envelope("Ping", "x"));
  await seen.until();
  const client = new SQSClient({
    endpoint: brokerUrl("sqs"),
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  try {
    const listed = await client.send(new ListQueuesCommand({ QueueNamePrefix: "my_2E_app" }));
    const names = (listed.QueueUrls ?? []).map((url) => url.split("/").at(-1) ?? "")
      .filter((name) => name.includes(tag));
    assert.ok(names.length > 0, "the group's queue is named after the encoded project name");
    for (const name of names) assert.match(name, /^[A-Za-z0-9_-]{1,80}$/);
  } finally {
    client.destroy();
  }
});
