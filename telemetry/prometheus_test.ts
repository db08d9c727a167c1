import { defineStoreConformance } from "./conformance.ts";
import { createPrometheusStore } from "./prometheus.ts";

defineStoreConformance("prometheus", {
  open: () => {
    const store = createPrometheusStore();
    return Promise.resolve({ store, dispose: () => store.close() });
  },
});
