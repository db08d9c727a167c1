import { adapterConformance } from "../../adapters/mod.ts";
import { createNatsAdapter } from "../../adapters/nats/mod.ts";
import { brokerUrl, restartBroker } from "./_brokers.ts";
import { brokerCrashTest } from "./_broker_crash.ts";
import { flowConformance } from "../../engine/mod.ts";
import { natsGroupExists } from "./_groups.ts";
import { transientCrashTest } from "./_transient_crash.ts";

// Needs NATS with JetStream: scripts/brokers/start.sh nats (ROHAS_TEST_NATS_URL overrides the URL).
const service = `conformance_${crypto.randomUUID().slice(0, 8)}`;

Deno.test("the nats adapter conforms to the delivery contract", (t) =>
  adapterConformance(t, {
    create: () =>
      Promise.resolve(createNatsAdapter({ url: brokerUrl("nats") }, { service, env: {} })),
    restartBroker: () => restartBroker("nats"),
    groupExists: natsGroupExists(service),
  }));

brokerCrashTest("nats");

// The server deletes a consumer inactive for `inactive_threshold` (measured: ~2 s at 1 s).
transientCrashTest({
  spec: { type: "nats", service, settings: { url: brokerUrl("nats"), transient_expiry_ms: 1000 } },
  groupExists: natsGroupExists(service),
  boundMs: 5000,
});

Deno.test("the engine's flow controls hold on the nats adapter", (t) =>
  flowConformance(t, {
    create: () =>
      Promise.resolve(createNatsAdapter({ url: brokerUrl("nats") }, { service, env: {} })),
  }));
