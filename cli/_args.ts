/**
 * Argument parsing for commands, with `node:util` parseArgs and one error format.
 *
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";
import type { CliIo } from "./command.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** The parsed flags and positionals of a command. */
export interface ParsedArgs<T extends Options> {
  values: { [K in keyof T]?: T[K]["type"] extends "boolean" ? boolean : string };
  positionals: string[];
}

/**
 * Parses arguments strictly; on an unknown option or too many positionals prints
 * `Error: ...` with a pointer to the command's help and returns null.
 *
 * @param args the arguments after the command name
 * @param config the command name, its options, how many positionals it takes, where to write
 * @returns the parsed arguments, or null on a usage error
 */
export function parseCommandArgs<T extends Options>(
  args: string[],
  config: { command: string; options: T; maxPositionals: number; io: CliIo },
): ParsedArgs<T> | null {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: config.options,
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length > config.maxPositionals) {
      throw new TypeError(`Unexpected argument "${positionals[config.maxPositionals]}"`);
    }
    return { values: values as ParsedArgs<T>["values"], positionals };
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    const detail = error.message.replace(/\.$/, "").split(". ")[0];
    config.io.stderr(`Error: ${detail}: run "rohas ${config.command} --help" for usage\n`);
    return null;
  }
}
