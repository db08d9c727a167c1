import { defineStoreConformance } from "./conformance.ts";
import { createMemoryStore } from "./memory_store.ts";

defineStoreConformance("memory", {
  open: () => {
    const store = createMemoryStore();
    return Promise.resolve({ store, dispose: () => store.close() });
  },
});
