import assert from "node:assert/strict";
import { adapterConformance } from "../../adapters/mod.ts";
import { AdapterError } from "../../adapters/mod.ts";
import { createAwsAdapter, createSqsAdapter } from "../../adapters/sqs/mod.ts";
import { brokerUrl } from "./_brokers.ts";
import { brokerCrashTest } from "./_broker_crash.ts";
import { flowConformance } from "../../engine/mod.ts";
import { sqsGroupExists } from "./_groups.ts";
import { transientCrashTest } from "./_transient_crash.ts";

// Needs an SQS endpoint: scripts/brokers/start.sh sqs starts fauxqs (ROHAS_TEST_SQS_ENDPOINT
// overrides it). fauxqs runs in memory (its persistence mode breaks ChangeMessageVisibility), so
// the broker-restart case cannot run here: a restarted fauxqs has forgotten its queues.
const prefix = `c${crypto.randomUUID().slice(0, 8)}-`;
const settings = { endpoint: brokerUrl("sqs"), queue_prefix: prefix, wait_time_s: 1 };

Deno.test("the sqs adapter conforms to the delivery contract", (t) =>
  adapterConformance(t, {
    create: () => Promise.resolve(createSqsAdapter(settings, { env: {} })),
    groupExists: sqsGroupExists(prefix),
  }));

Deno.test("the aws adapter (aws_type sqs) conforms to the delivery contract", (t) =>
  adapterConformance(t, {
    create: () =>
      Promise.resolve(createAwsAdapter({ ...settings, queue_prefix: `a${prefix}` }, { env: {} })),
    groupExists: sqsGroupExists(`a${prefix}`),
  }));

Deno.test("aws adapter reports its config name and refuses an unknown aws_type clearly", () => {
  assert.equal(createAwsAdapter(settings, { env: {} }).type, "aws");
  assert.equal(createAwsAdapter({ ...settings, aws_type: "EventBridge" }, { env: {} }).type, "aws");
  assert.throws(
    () => createAwsAdapter({ ...settings, aws_type: "sns" }, { env: {} }),
    (error: unknown) =>
      error instanceof AdapterError && /"sns" in \[adapter\] aws_type/.test(error.message),
  );
});

brokerCrashTest("sqs");

// The live transient subscriber's heartbeat (every third of the expiry) deletes the killed one's
// queue once its heartbeat is older than the expiry (measured: ~1.9 s at 1.5 s).
transientCrashTest({
  spec: {
    type: "sqs",
    service: "crash",
    settings: { ...settings, queue_prefix: `t${prefix}`, transient_expiry_ms: 1500 },
  },
  groupExists: sqsGroupExists(`t${prefix}`),
  boundMs: 5000,
});

Deno.test("the engine's flow controls hold on the sqs adapter", (t) =>
  flowConformance(t, {
    create: () =>
      Promise.resolve(createSqsAdapter({ ...settings, queue_prefix: `f${prefix}` }, { env: {} })),
  }));
