/**
 * `rohas validate [path] [--strict] [--json]`: parse and validate a schema, print every problem
 * with its position, exit 1 on errors (or on warnings with `--strict`).
 *
 * @module
 */

import { type Diagnostic, type Schema, schemaToPlain } from "../parser/mod.ts";
import { ConfigError, loadConfig } from "../project/mod.ts";
import type { CliIo, CommandRun } from "./command.ts";
import type { VALIDATE } from "./commands.ts";
import { displayPath } from "./_diagnostic_printer.ts";
import { loadSchema, renderDiagnostics, schemaDiagnostics } from "./_schema_loader.ts";

/** Runs `rohas validate`. */
export const run: CommandRun<typeof VALIDATE> = async ({ values, project: path }, io) => {
  const loaded = await loadSchema(path, io);
  if (loaded === null) return 1;
  const { project, parsed } = loaded;
  const diagnostics = schemaDiagnostics(parsed);
  const configProblem = await checkConfig(project.root, project.configFile);
  const failed = diagnostics.some((d) => d.severity === "error") || configProblem !== null ||
    (values.strict === true && diagnostics.length > 0);
  if (values.json === true) {
    io.stdout(jsonReport(diagnostics, parsed.schema, { io, configProblem }));
    return failed ? 1 : 0;
  }
  io.stderr(await renderDiagnostics(diagnostics, io));
  if (configProblem !== null) io.stderr(`Error: ${configProblem}\n`);
  if (failed) {
    io.stderr("Schema validation failed\n");
    return 1;
  }
  io.stdout(successReport(parsed.schema));
  return 0;
};

/** The config's problem, or null when it loads (or there is none). */
async function checkConfig(root: string, configFile: string | null): Promise<string | null> {
  if (configFile === null) return null;
  try {
    await loadConfig(root);
    return null;
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
}

function successReport(schema: Schema): string {
  return [
    "Schema validation passed!",
    `  - ${schema.models.length} models`,
    `  - ${schema.types.length} types`,
    `  - ${schema.inputs.length} inputs`,
    `  - ${schema.apis.length} APIs`,
    `  - ${schema.events.length} events`,
    `  - ${schema.crons.length} cron jobs`,
    `  - ${schema.websockets.length} websockets`,
    "",
  ].join("\n");
}

function jsonReport(
  diagnostics: Diagnostic[],
  schema: Schema,
  options: { io: CliIo; configProblem: string | null },
): string {
  const shown = diagnostics.map((d) => ({ ...d, file: displayPath(d.file, options.io.cwd) }));
  const report: Record<string, unknown> = { diagnostics: shown, schema: schemaToPlain(schema) };
  if (options.configProblem !== null) report.config_error = options.configProblem;
  return JSON.stringify(report, null, 2) + "\n";
}
