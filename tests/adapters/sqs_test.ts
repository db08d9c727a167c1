import { runAdapterConformance } from "../../adapters/conformance.ts";
import { createSqsAdapter } from "../../adapters/sqs/mod.ts";
import { brokerUrl } from "./_brokers.ts";

// Needs an SQS endpoint: scripts/brokers/start.sh sqs starts fauxqs (ROHAS_TEST_SQS_ENDPOINT
// overrides it). fauxqs runs in memory (its persistence mode breaks ChangeMessageVisibility), so
// the broker-restart case cannot run here: a restarted fauxqs has forgotten its queues.
const prefix = `c${crypto.randomUUID().slice(0, 8)}-`;

runAdapterConformance("sqs", {
  create: () =>
    Promise.resolve(
      createSqsAdapter({ endpoint: brokerUrl("sqs"), queue_prefix: prefix, wait_time_s: 1 }, {
        env: {},
      }),
    ),
});
