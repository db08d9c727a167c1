import { runKvConformance } from "./conformance.ts";
import { openNatsKvBackend } from "./nats_backend.ts";

const url = Deno.env.get("ROHAS_TEST_NATS_URL") ?? "nats://127.0.0.1:14222";

runKvConformance("nats", {
  open: (namespace) => openNatsKvBackend({ url, namespace }),
  multiKeyAtomic: false,
});
