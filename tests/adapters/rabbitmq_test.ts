import { adapterConformance } from "../../adapters/mod.ts";
import { createRabbitmqAdapter } from "../../adapters/rabbitmq/mod.ts";
import { brokerUrl, restartBroker } from "./_brokers.ts";
import { brokerCrashTest } from "./_broker_crash.ts";
import { flowConformance } from "../../engine/mod.ts";

// Needs RabbitMQ: scripts/brokers/start.sh rabbitmq (ROHAS_TEST_AMQP_URL overrides the URL).
const service = `conformance_${crypto.randomUUID().slice(0, 8)}`;

Deno.test("the rabbitmq adapter conforms to the delivery contract", (t) =>
  adapterConformance(t, {
    create: () =>
      Promise.resolve(createRabbitmqAdapter({ url: brokerUrl("rabbitmq") }, { service, env: {} })),
    restartBroker: () => restartBroker("rabbitmq"),
  }));

brokerCrashTest("rabbitmq");

Deno.test("the engine's flow controls hold on the rabbitmq adapter", (t) =>
  flowConformance(t, {
    create: () =>
      Promise.resolve(createRabbitmqAdapter({ url: brokerUrl("rabbitmq") }, { service, env: {} })),
  }));
