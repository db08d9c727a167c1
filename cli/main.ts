/**
 * The CLI dispatcher: `rohas <command> [arguments] [options]`, `rohas --help`,
 * `rohas <command> --help`. Exit codes: 0 success, 1 failure, 2 a command line that cannot be
 * run (unknown command or option, missing or invalid value), never a stack trace.
 *
 * @module
 */

import type { CliIo } from "./command.ts";
import { type CommandSpec, parseCommandLine, type ParsedArgs, quote } from "./_args.ts";
import { COMMANDS } from "./commands.ts";
import { CliUsageError } from "./errors.ts";
import { RohasError } from "../errors.ts";
import { importOnDemand } from "../_import_on_demand.ts";
import { formatHelp, formatOverview, usageLines } from "./_help.ts";

/** Exit code of a command line that cannot be run. */
export const USAGE_EXIT_CODE = 2;

/** Runs the CLI with arguments; resolves to the exit code.
 *
 * @param args the arguments after the program name
 * @param io where to write and the working directory
 * @returns the exit code: 0, 1 or 2
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { runCli } from "./main.ts";
 * let err = "";
 * const io = { stdout: () => {}, stderr: (text: string) => (err += text), cwd: "." };
 * const code = await runCli(["constructor"], io);
 * assert(code === 2 && err.startsWith('Error: Unknown command "constructor"'));
 * ```
 */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = args;
  if (first === undefined) return usageError(io, "Missing command", null);
  if (first === "--help" || first === "-h") return help(io, null);
  if (first === "help") return rest[0] === undefined ? help(io, null) : help(io, rest[0]);
  const name = first === "--version" || first === "-V" ? "version" : first;
  const spec = COMMANDS.get(name);
  if (spec === undefined) return usageError(io, `Unknown command ${quote(name)}`, null);
  if (wantsHelp(rest)) return help(io, name);
  const result = parseCommandLine(rest, spec);
  if (!result.ok) return usageError(io, result.message, spec);
  return await runCommand(spec, result.parsed, io);
}

/** `--help` or `-h` before any `--`. */
function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  const options = end === -1 ? args : args.slice(0, end);
  return options.includes("--help") || options.includes("-h");
}

function help(io: CliIo, name: string | null): number {
  if (name === null) {
    io.stdout(formatOverview(COMMANDS.values()));
    return 0;
  }
  const spec = COMMANDS.get(name);
  if (spec === undefined) return usageError(io, `Unknown command ${quote(name)}`, null);
  io.stdout(formatHelp(spec));
  return 0;
}

/** One line saying what is wrong, the usage, and where the full help is; exit code 2. */
function usageError(io: CliIo, message: string, spec: CommandSpec | null): number {
  const usage = spec === null ? ["rohas <command> [arguments] [options]"] : usageLines(spec);
  const helpCommand = spec === null ? "rohas --help" : `rohas ${spec.name} --help`;
  io.stderr(
    [
      `Error: ${message}`,
      `Usage: ${usage[0]}`,
      ...usage.slice(1).map((line) => `       ${line}`),
      `Run "${helpCommand}" for more.`,
      "",
    ].join("\n"),
  );
  return USAGE_EXIT_CODE;
}

async function runCommand(
  spec: CommandSpec,
  parsed: ParsedArgs<CommandSpec>,
  io: CliIo,
): Promise<number> {
  try {
    const command = await loadCommand(spec);
    return await command.run(parsed, io);
  } catch (error) {
    if (error instanceof CliUsageError) return usageError(io, error.message, spec);
    io.stderr(`Error: ${messageOf(error)}\n`);
    return 1;
  }
}

interface CommandModule {
  run(parsed: ParsedArgs<CommandSpec>, io: CliIo): Promise<number>;
}

/** Imports a command's module when it runs: `rohas --help` loads (and downloads) no command. */
async function loadCommand(spec: CommandSpec): Promise<CommandModule> {
  return await importOnDemand<CommandModule>(spec.module, import.meta.url);
}

function messageOf(error: unknown): string {
  if (error instanceof RohasError) return error.message;
  if (error instanceof Error) {
    return error.name === "Error" ? error.message : `${error.name}: ${error.message}`;
  }
  return String(error);
}
