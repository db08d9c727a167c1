/**
 * Starts fauxqs (an SQS-compatible server) for the SQS adapter tests on 127.0.0.1, quietly. Set
 * FAUXQS_DATA_DIR for its SQLite persistence (its own CLI never enables it); start.sh leaves it off
 * because in 2.4.1 that mode rejects ChangeMessageVisibility.
 *
 *   FAUXQS_PORT=19324 FAUXQS_DATA_DIR=.brokers/sqs/data deno run -A --no-config --no-lock fauxqs.ts
 *
 * fauxqs binds every interface; the tests address it at 127.0.0.1 only.
 *
 * @module
 */
// deno-lint-ignore no-import-prefix
import { startFauxqs } from "npm:fauxqs@2.4.1";

const port = Number(Deno.env.get("FAUXQS_PORT") ?? "19324");
const dataDir = Deno.env.get("FAUXQS_DATA_DIR");
await startFauxqs({
  port,
  host: "127.0.0.1",
  logger: false,
  ...(dataDir ? { dataDir } : {}),
});
