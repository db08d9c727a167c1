/**
 * `--help` and usage lines, written from the same {@linkcode CommandSpec} the parser reads.
 *
 * @module
 */

import {
  type CommandSpec,
  optionsOf,
  type OptionSpec,
  positionalsOf,
  type PositionalSpec,
} from "./_args.ts";

const HELP_OPTION: OptionSpec = { type: "boolean", short: "h", description: "Show this help" };

/**
 * The usage lines of a command, each starting with `rohas <name>`.
 *
 * @param spec the command
 * @returns one line per form of the command
 */
export function usageLines(spec: CommandSpec): string[] {
  if (spec.usage) return spec.usage.map((line) => `rohas ${line}`);
  const parts = [`rohas ${spec.name}`];
  for (const positional of positionalsOf(spec)) parts.push(positionalLabel(positional));
  parts.push("[options]");
  return [parts.join(" ")];
}

function positionalLabel(positional: PositionalSpec): string {
  if (positional.choices?.length === 1) return positional.choices[0]!;
  const name = positional.choices ? positional.choices.join("|") : positional.name;
  return positional.required ? `<${name}>` : `[${name}]`;
}

/**
 * The full `rohas <name> --help` text: usage, description, arguments, options, examples.
 *
 * @param spec the command
 * @returns the text, ending with a newline
 */
export function formatHelp(spec: CommandSpec): string {
  const [first, ...more] = usageLines(spec);
  const lines = [`Usage: ${first}`, ...more.map((line) => `       ${line}`), "", spec.description];
  const positionals = positionalsOf(spec).filter((p) => !(p.choices?.length === 1));
  if (positionals.length > 0) {
    lines.push("", "Arguments:", ...table(positionals.map((p) => [p.name, p.description])));
  }
  const options = [...optionsOf(spec)].map(([name, option]) => [flagLabel(name, option), option]);
  options.push([flagLabel("help", HELP_OPTION), HELP_OPTION]);
  lines.push(
    "",
    "Options:",
    ...table(options.map(([label, option]) => [label as string, describe(option as OptionSpec)])),
  );
  lines.push("", "Example:", ...spec.examples.map((example) => `  rohas ${example}`), "");
  return lines.join("\n");
}

function flagLabel(name: string, option: OptionSpec): string {
  const short = option.short ? `-${option.short}, ` : "    ";
  const value = option.type === "boolean" ? "" : ` ${option.value ?? "<value>"}`;
  return `${short}--${name}${value}`;
}

function describe(option: OptionSpec): string {
  return option.multiple ? `${option.description} (repeatable)` : option.description;
}

/** Two columns; a description of several lines is indented under the first. */
function table(rows: string[][]): string[] {
  const width = Math.max(...rows.map(([label]) => label!.length));
  return rows.flatMap(([label, description]) => {
    const [head, ...rest] = description!.split("\n");
    const pad = " ".repeat(width + 4);
    return [`  ${label!.padEnd(width)}  ${head}`, ...rest.map((line) => `${pad}${line}`)];
  });
}

/**
 * `rohas --help`: every command with its summary.
 *
 * @param specs the commands
 * @returns the text, ending with a newline
 */
export function formatOverview(specs: Iterable<CommandSpec>): string {
  const sorted = [...specs].sort((a, b) => a.name.localeCompare(b.name));
  const width = Math.max(...sorted.map((spec) => spec.name.length));
  return [
    "Rohas: event-driven, schema-driven backends",
    "",
    "Usage: rohas <command> [arguments] [options]",
    "",
    "Commands:",
    ...sorted.map((spec) => `  ${spec.name.padEnd(width)}  ${spec.summary}`),
    "",
    "A command that works on a project takes its directory as the last argument or as",
    "-C, --project <dir> (default: the current directory).",
    "",
    'Run "rohas <command> --help" for a command\'s arguments and options.',
    "",
  ].join("\n");
}
