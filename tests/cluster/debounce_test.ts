// Debounce with three `rohas start` instances on each real broker: see _debounce.ts.
import { BROKERS } from "./_instances.ts";
import { debounceSuite } from "./_debounce.ts";

for (const broker of BROKERS) debounceSuite(broker);
