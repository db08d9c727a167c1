import { runKvConformance } from "./conformance.ts";
import { createMemoryKvBackend } from "./memory_backend.ts";
import type { KvBackend } from "./backend.ts";

const stores = new Map<string, KvBackend>();
runKvConformance("memory", {
  open: (namespace) => {
    const store = stores.get(namespace) ?? createMemoryKvBackend();
    stores.set(namespace, store);
    return Promise.resolve(store);
  },
});
