/**
 * The CLI dispatcher: `rohas <command> [args]`, `rohas --help`, `rohas <command> --help`.
 *
 * @module
 */

import type { CliIo } from "./command.ts";
import { COMMANDS } from "./commands.ts";

/** Runs the CLI with arguments; resolves to the exit code.
 *
 * @param args the arguments after the program name
 * @param io where to write and the working directory
 * @returns the exit code
 */
export async function runCli(args: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(await overview());
    return name === undefined ? 1 : 0;
  }
  if (name === "--version" || name === "-V") return runCli(["version"], io);
  const load = COMMANDS[name];
  if (!load) {
    io.stderr(`Error: Unknown command "${name}": run "rohas --help" for the list\n`);
    return 1;
  }
  const command = await load();
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(command.help.endsWith("\n") ? command.help : command.help + "\n");
    return 0;
  }
  return command.run(rest, io);
}

async function overview(): Promise<string> {
  const lines = [
    "Rohas: event-driven, schema-driven backends",
    "",
    "Usage: rohas <command> [options]",
    "",
    "Commands:",
  ];
  const names = Object.keys(COMMANDS).sort();
  const commands = await Promise.all(names.map((n) => COMMANDS[n]!()));
  const width = Math.max(...names.map((n) => n.length));
  for (const command of commands) lines.push(`  ${command.name.padEnd(width)}  ${command.summary}`);
  lines.push("", 'Run "rohas <command> --help" for a command\'s options.', "");
  return lines.join("\n");
}
