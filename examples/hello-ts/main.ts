/**
 * The app in one module: `deno task serve` (`deno serve --parallel`), Deno Deploy and the binary of
 * `deno task compile` run it. Crons are registered with `Deno.cron` and the event queue listener
 * started here, at the module's top level, because Deno Deploy only sees what the entry module does
 * while it loads.
 */
import { createEntry } from "@rohas/cli/deploy";
import { app } from "./src/generated/app.ts";

const entry = createEntry(app);
for (const cron of entry.crons) Deno.cron(cron.name, cron.schedule, cron.options, cron.run);
await entry.start();
// A binary of `deno compile` runs this module as a program, so it listens itself (`--listen`).
if (Deno.args.includes("--listen")) await entry.listen();

export default { fetch: entry.fetch } satisfies Deno.ServeDefaultExport;
