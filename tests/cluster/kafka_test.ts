// Three `rohas start` instances on kafka (scripts/brokers/start.sh): see _suite.ts.
import { clusterSuite } from "./_suite.ts";

clusterSuite("kafka");
