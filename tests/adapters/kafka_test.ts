import { runAdapterConformance } from "../../adapters/conformance.ts";
import { createKafkaAdapter } from "../../adapters/kafka/mod.ts";
import { brokerUrl, restartBroker } from "./_brokers.ts";

// Needs Kafka: scripts/brokers/start.sh kafka (ROHAS_TEST_KAFKA_BROKERS overrides the address).
const service = `conformance_${crypto.randomUUID().slice(0, 8)}`;

runAdapterConformance("kafka", {
  create: () =>
    Promise.resolve(createKafkaAdapter({ brokers: brokerUrl("kafka") }, { service, env: {} })),
  restartBroker: () => restartBroker("kafka"),
  timeoutMs: 20_000,
});
