import assert from "node:assert/strict";
import { adapterConformance } from "../../adapters/mod.ts";
import { createAwsAdapter } from "../../adapters/sqs/mod.ts";
import { brokerUrl } from "./_brokers.ts";

// Needs moto (EventBridge and SQS emulated): scripts/brokers/start.sh moto
// (ROHAS_TEST_AWS_ENDPOINT overrides the address). moto keeps its state in memory, so the
// broker-restart case cannot run here.
const prefix = `eb${crypto.randomUUID().slice(0, 8)}-`;
const settings = {
  aws_type: "eventbridge",
  endpoint: brokerUrl("moto"),
  queue_prefix: prefix,
  wait_time_s: 1,
  source: "rohas.conformance",
};

Deno.test("the aws adapter (aws_type eventbridge) conforms to the delivery contract", (t) =>
  adapterConformance(t, {
    create: () => Promise.resolve(createAwsAdapter(settings, { env: {} })),
  }));

Deno.test("aws eventbridge adapter reports the type aws and publishes through a rule to each group", async () => {
  const adapter = createAwsAdapter({ ...settings, queue_prefix: `x${prefix}` }, { env: {} });
  assert.equal(adapter.type, "aws");
  await adapter.start();
  try {
    const got = Promise.withResolvers<string>();
    await adapter.subscribe("RuleCheck", "app.on_rule_check", async (delivery) => {
      await delivery.ack();
      got.resolve(delivery.envelope.id);
    });
    const id = crypto.randomUUID();
    await adapter.publish({
      id,
      topic: "RuleCheck",
      payload: { ok: true },
      timestamp: new Date().toISOString(),
      metadata: { trace_id: "t", parent_id: null, source: "workbench", attempt: 1 },
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<string>((_, reject) => {
      timer = setTimeout(() => reject(new Error("No delivery within 10 s")), 10_000);
    });
    assert.equal(await Promise.race([got.promise, late]).finally(() => clearTimeout(timer)), id);
  } finally {
    await adapter.close();
  }
});
