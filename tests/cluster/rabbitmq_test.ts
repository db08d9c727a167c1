// Three `rohas start` instances on rabbitmq (scripts/brokers/start.sh): see _suite.ts.
import { clusterSuite } from "./_suite.ts";

clusterSuite("rabbitmq");
