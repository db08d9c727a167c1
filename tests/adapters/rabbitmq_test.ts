import { adapterConformance } from "../../adapters/mod.ts";
import { createRabbitmqAdapter } from "../../adapters/rabbitmq/mod.ts";
import { brokerUrl, restartBroker } from "./_brokers.ts";
import { brokerCrashTest } from "./_broker_crash.ts";
import { flowConformance } from "../../engine/mod.ts";
import { rabbitmqGroupExists } from "./_groups.ts";
import { transientCrashTest } from "./_transient_crash.ts";

// Needs RabbitMQ: scripts/brokers/start.sh rabbitmq (ROHAS_TEST_AMQP_URL overrides the URL).
const service = `conformance_${crypto.randomUUID().slice(0, 8)}`;

Deno.test("the rabbitmq adapter conforms to the delivery contract", (t) =>
  adapterConformance(t, {
    create: () =>
      Promise.resolve(createRabbitmqAdapter({ url: brokerUrl("rabbitmq") }, { service, env: {} })),
    restartBroker: () => restartBroker("rabbitmq"),
    groupExists: rabbitmqGroupExists(service),
  }));

brokerCrashTest("rabbitmq");

// An auto-delete queue goes as soon as the broker sees the connection drop (measured: ~60 ms).
transientCrashTest({
  spec: {
    type: "rabbitmq",
    service,
    settings: { url: brokerUrl("rabbitmq"), transient_expiry_ms: 2000 },
  },
  groupExists: rabbitmqGroupExists(service),
  boundMs: 5000,
});

Deno.test("the engine's flow controls hold on the rabbitmq adapter", (t) =>
  flowConformance(t, {
    create: () =>
      Promise.resolve(createRabbitmqAdapter({ url: brokerUrl("rabbitmq") }, { service, env: {} })),
  }));
