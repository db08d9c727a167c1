import { storeConformance } from "./conformance.ts";
import { createPrometheusStore } from "./prometheus.ts";

Deno.test("the prometheus store conforms to the store contract", (t) =>
  storeConformance(t, {
    open: () => {
      const store = createPrometheusStore();
      return Promise.resolve({ store, dispose: () => store.close() });
    },
  }));
