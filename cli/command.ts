/**
 * The shape of a CLI command. Each command lives in its own file under `cli/` and is listed in
 * `cli/commands.ts`; only this folder and `cli.ts` print.
 *
 * @module
 */

/** Where a command writes; tests pass buffers, the real CLI passes the process streams. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The working directory commands resolve relative paths against. */
  cwd: string;
}

/** A subcommand of `rohas`. */
export interface Command {
  name: string;
  /** One line for `rohas --help`. */
  summary: string;
  /** The full text of `rohas <name> --help`. */
  help: string;
  /** Runs the command; resolves to the process exit code (0 success, 1 failure). */
  run(args: string[], io: CliIo): Promise<number>;
}
