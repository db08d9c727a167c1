// Flow limits with three `rohas start` instances on each real broker: see _limits.ts.
import { BROKERS } from "./_instances.ts";
import { limitsSuite } from "./_limits.ts";

for (const broker of BROKERS) limitsSuite(broker);
