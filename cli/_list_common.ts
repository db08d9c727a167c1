/**
 * What the `list-*` commands share.
 *
 * @module
 */

import type { Schema } from "../parser/mod.ts";
import type { CliIo, Command } from "./command.ts";
import { parseCommandArgs } from "./_args.ts";
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

/** What distinguishes one `list-*` command from another. */
export interface ListCommandSpec {
  /** The command name, such as `list-events`. */
  name: string;
  /** One line for `rohas --help`. */
  summary: string;
  /** The paragraph of `--help` that says what is listed. */
  description: string;
  /** Turns a parsed schema into the text to print. */
  format(schema: Schema): string;
}

/** Builds a `list-*` command: one optional path argument, the schema parsed, `format` printed.
 *
 * @param spec the name, texts and formatter of the command
 * @returns the command
 */
export function listCommand(spec: ListCommandSpec): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    help: listHelp(spec),
    async run(args: string[], io: CliIo): Promise<number> {
      const parsed = parseCommandArgs(args, {
        command: spec.name,
        options: {},
        maxPositionals: 1,
        io,
      });
      if (parsed === null) return 1;
      const schema = await loadParsedOrReport(parsed.positionals[0], io);
      if (schema === null) return 1;
      io.stdout(spec.format(schema));
      return 0;
    },
  };
}

function listHelp(spec: ListCommandSpec): string {
  return `Usage: rohas ${spec.name} [path]

${spec.description}

Arguments:
  path       A project directory, a schema directory or one .ro file
             (default: the project around the working directory)

Options:
  -h, --help Show this help

Example:
  rohas ${spec.name} examples/hello-world`;
}
