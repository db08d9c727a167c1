/**
 * What the `list-*` commands share.
 *
 * @module
 */

import type { Schema } from "../parser/mod.ts";
import type { CliIo } from "./command.ts";
import { loadSchema, renderDiagnostics } from "./_schema_loader.ts";

/** Loads and parses the schema; on a parse error prints the diagnostics and returns null.
 *
 * @param path the path argument, if any
 * @param io where to write, and the working directory
 * @returns the schema or null
 */
export async function loadParsedOrReport(
  path: string | undefined,
  io: CliIo,
): Promise<Schema | null> {
  const loaded = await loadSchema(path, io);
  if (loaded === null) return null;
  const errors = loaded.parsed.diagnostics.filter((d) => d.severity === "error");
  if (errors.length === 0) return loaded.parsed.schema;
  io.stderr(await renderDiagnostics(errors, io));
  return null;
}

/** A list as the original printed it (Rust's `Debug` of `Vec<String>`): `["a", "b"]`.
 *
 * @param items the items
 * @returns the text
 */
export function quotedList(items: readonly string[]): string {
  return `[${items.map((item) => JSON.stringify(item)).join(", ")}]`;
}

/**
 * Runs a `list-*` command: the schema of the project parsed, `format` printed.
 *
 * @param project the project argument, if any
 * @param io where to write, and the working directory
 * @param format turns the parsed schema into the text to print
 * @returns the exit code
 */
export async function runList(
  project: string | undefined,
  io: CliIo,
  format: (schema: Schema) => string,
): Promise<number> {
  const schema = await loadParsedOrReport(project, io);
  if (schema === null) return 1;
  io.stdout(format(schema));
  return 0;
}
