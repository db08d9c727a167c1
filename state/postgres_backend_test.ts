import { runKvConformance } from "./conformance.ts";
import { openPostgresKvBackend } from "./postgres_backend.ts";

const url = Deno.env.get("ROHAS_TEST_PG_URL") ?? "postgres://postgres@127.0.0.1:55432/postgres";

runKvConformance("postgres", {
  open: (namespace) => openPostgresKvBackend({ url, namespace }),
});
