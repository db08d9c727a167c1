// Three `rohas start` instances on nats (scripts/brokers/start.sh): see _suite.ts.
import { clusterSuite } from "./_suite.ts";

clusterSuite("nats");
