// Three `rohas start` instances on sqs (scripts/brokers/start.sh): see _suite.ts.
import { clusterSuite } from "./_suite.ts";

clusterSuite("sqs");
