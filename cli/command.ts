/**
 * The shape of a CLI command: a declaration in `cli/commands.ts` and a module exporting `run`.
 * Only this folder and `cli.ts` print.
 *
 * @module
 */

import type { CommandSpec, ParsedArgs } from "./_args.ts";

/** Where a command writes; tests pass buffers, the real CLI passes the process streams. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The working directory commands resolve relative paths against. */
  cwd: string;
}

/**
 * Runs a command on its parsed command line; resolves to the exit code (0 success, 1 failure).
 * Throwing {@linkcode CliUsageError} reports a usage error (exit code 2); any other error is
 * printed as `Error: <message>` (exit code 1).
 */
export type CommandRun<S extends CommandSpec> = (
  parsed: ParsedArgs<S>,
  io: CliIo,
) => Promise<number>;

export type { CommandSpec, ParsedArgs } from "./_args.ts";
export { CliUsageError } from "./errors.ts";
