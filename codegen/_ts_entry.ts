/**
 * The embedded app (`generated/app.ts`: the schema, the config text, the manifest and the
 * validators, so nothing reads the project's files at run time) and the project's entry
 * (`main.ts`, a user file created once) that `deno serve`, Deno Deploy and `deno compile` run.
 *
 * @module
 */

import { schemaToPlain } from "../parser/mod.ts";
import type { Schema } from "../parser/mod.ts";
import { TS_HEADER } from "./_ts_module.ts";
import { CodeWriter } from "./_writer.ts";

/** The text of `generated/app.ts`.
 *
 * @param schema the checked schema
 * @param options the project name and the text of `config/rohas.toml` (null: none)
 * @returns the module source
 */
export function tsAppModule(
  schema: Schema,
  options: { name: string; config: string | null },
): string {
  const w = new CodeWriter("  ").line(TS_HEADER).line();
  w.line('import { manifest } from "./manifest.ts";');
  w.line('import { validators } from "./validators.ts";').line();
  w.line("/**");
  w.line(
    " * The app embedded for `main.ts`: schema, config, handlers and validators are part of the",
  );
  w.line(
    " * module graph, so `deno compile` and Deno Deploy carry them and nothing is read from disk.",
  );
  w.line(" */");
  w.block("export const app = {", () => {
    w.line(`name: ${JSON.stringify(options.name)},`);
    w.line(`schema: JSON.parse(${JSON.stringify(JSON.stringify(schemaToPlain(schema)))}),`);
    w.line(`config: ${options.config === null ? "null" : JSON.stringify(options.config)},`);
    w.line("manifest,").line("validators,");
  }, "};");
  return w.toString();
}

/** The text of `main.ts`.
 *
 * @param prefix the output dir with a trailing slash (`"src/"`), or `""`
 * @returns the module source
 */
export function tsEntryModule(prefix: string): string {
  return `/**
 * The app in one module: \`deno task serve\` (\`deno serve --parallel\`), Deno Deploy and the binary of
 * \`deno task compile\` run it. Crons are registered with \`Deno.cron\` and the event queue listener
 * started here, at the module's top level, because Deno Deploy only sees what the entry module does
 * while it loads.
 */
import { createEntry } from "@rohas/cli/deploy";
import { app } from "./${prefix}generated/app.ts";

const entry = createEntry(app);
for (const cron of entry.crons) Deno.cron(cron.name, cron.schedule, cron.options, cron.run);
await entry.start();
// A binary of \`deno compile\` runs this module as a program, so it listens itself (\`--listen\`).
if (Deno.args.includes("--listen")) await entry.listen();

export default { fetch: entry.fetch } satisfies Deno.ServeDefaultExport;
`;
}
