/**
 * The one argument parser of the CLI. Every command declares its arguments once, as data (a
 * {@linkcode CommandSpec}); {@linkcode parseCommandLine} reads a command line against it and
 * `cli/_help.ts` writes `--help` from it, so the two cannot disagree.
 *
 * The project rule: a command that works on a project (`project: true`) takes it as an optional
 * last argument `[path]` or as `-C, --project <dir>`; giving both with different values is an
 * error.
 *
 * @module
 */

/** One `--option`. */
export interface OptionSpec {
  /** `boolean` takes no value; `integer` takes a whole number within `min`..`max`. */
  readonly type: "boolean" | "string" | "integer";
  /** A one-letter alias, without the dash: `p` for `-p`. */
  readonly short?: string;
  /** What `--help` shows for the value, such as `<N>` or `<path>`. */
  readonly value?: string;
  /** One line (or more, joined by newlines) for `--help`. */
  readonly description: string;
  /** Repeatable: the values are collected in order. */
  readonly multiple?: boolean;
  /** The accepted values of a `string` option. */
  readonly choices?: readonly string[];
  /** Inclusive bounds of an `integer` option. */
  readonly min?: number;
  /** Inclusive bounds of an `integer` option. */
  readonly max?: number;
}

/** One positional argument, in order. */
export interface PositionalSpec {
  readonly name: string;
  readonly description: string;
  /** A missing required argument is a usage error. */
  readonly required?: boolean;
  /** The accepted values (an action such as `run`, or `list`/`replay`). */
  readonly choices?: readonly string[];
}

/** Everything the CLI knows about a command before loading it. */
export interface CommandSpec {
  readonly name: string;
  /** One line for `rohas --help`. */
  readonly summary: string;
  /** What the command does, for `--help`. */
  readonly description: string;
  /** Usage lines after `rohas `, when the generated one does not say enough. */
  readonly usage?: readonly string[];
  readonly positionals: readonly PositionalSpec[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Adds the optional last argument `[path]` and `-C, --project <dir>`. */
  readonly project?: boolean;
  /** Command lines after `rohas `, shown under `Example:`. */
  readonly examples: readonly string[];
  /** The module, relative to `cli/`, that exports `run`. */
  readonly module: string;
}

/** The `[path]` argument of a project command. */
export const PROJECT_POSITIONAL: PositionalSpec = {
  name: "path",
  description: "The project directory (default: the current directory)",
};

/** The `-C, --project` option of a project command. */
export const PROJECT_OPTION: OptionSpec = {
  type: "string",
  short: "C",
  value: "<dir>",
  description: "The project directory, instead of the path argument",
};

type Scalar<O extends OptionSpec> = O["type"] extends "boolean" ? boolean
  : O["type"] extends "integer" ? number
  : O extends { choices: readonly (infer C)[] } ? C
  : string;

/** The option values of a parsed command line, typed from the spec. */
export type OptionValues<S extends CommandSpec> = {
  [K in keyof S["options"]]?: S["options"][K]["multiple"] extends true ? Scalar<S["options"][K]>[]
    : Scalar<S["options"][K]>;
};

/** A command line read against its spec. */
export interface ParsedArgs<S extends CommandSpec> {
  values: OptionValues<S>;
  /** The positional arguments by name; absent when not given. */
  args: { [P in S["positionals"][number]["name"]]?: string };
  /** The project from `[path]` or `--project`; undefined when neither was given. */
  project?: string;
}

/** The outcome of {@linkcode parseCommandLine}: the parsed line or a one-line usage error. */
export type ParseResult<S extends CommandSpec> =
  | { ok: true; parsed: ParsedArgs<S> }
  | { ok: false; message: string };

/** Every positional of a spec, `[path]` included for a project command. */
export function positionalsOf(spec: CommandSpec): readonly PositionalSpec[] {
  return spec.project ? [...spec.positionals, PROJECT_POSITIONAL] : spec.positionals;
}

/** Every option of a spec by long name, `--project` included for a project command. */
export function optionsOf(spec: CommandSpec): ReadonlyMap<string, OptionSpec> {
  const options = new Map(Object.entries(spec.options));
  if (spec.project) options.set("project", PROJECT_OPTION);
  return options;
}

/** Thrown inside the parser; turned into the `ok: false` result. */
class UsageProblem extends Error {
  override name = "UsageProblem";
}

/**
 * Reads the arguments after the command name. Options may come before, between or after the
 * positionals; `--` ends the options. Names are looked up in maps, never on plain objects, so
 * `--constructor` or `__proto__` are just unknown.
 *
 * @param args the arguments after the command name
 * @param spec the command's declaration
 * @returns the values, or a message such as `Unknown option "--bogus"`
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { parseCommandLine } from "./_args.ts";
 * const spec = {
 *   name: "demo", summary: "", description: "", module: "", examples: [],
 *   positionals: [], project: true,
 *   options: { port: { type: "integer", short: "p", min: 0, max: 65535, description: "" } },
 * } as const;
 * const result = parseCommandLine(["-p", "8080", "app"], spec);
 * assert(result.ok && result.parsed.values.port === 8080 && result.parsed.project === "app");
 * ```
 */
export function parseCommandLine<S extends CommandSpec>(
  args: readonly string[],
  spec: S,
): ParseResult<S> {
  try {
    return { ok: true, parsed: readLine(args, spec) };
  } catch (error) {
    if (error instanceof UsageProblem) return { ok: false, message: error.message };
    throw error;
  }
}

function readLine<S extends CommandSpec>(args: readonly string[], spec: S): ParsedArgs<S> {
  const options = optionsOf(spec);
  const shorts = new Map<string, string>();
  for (const [name, option] of options) if (option.short) shorts.set(option.short, name);
  const values = new Map<string, unknown>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!isOptionLike(arg)) {
      positionals.push(arg);
      continue;
    }
    const { name, inline } = optionName(arg, shorts);
    const option = options.get(name);
    if (option === undefined) throw new UsageProblem(`Unknown option ${quote(arg)}`);
    const next = args[i + 1];
    const takesNext = option.type !== "boolean" && inline === undefined && next !== undefined &&
      !isOptionLike(next);
    const raw = takesNext ? next : inline;
    if (takesNext) i++;
    store(values, name, { option, value: readValue(`--${name}`, option, raw) });
  }
  return assemble(spec, values, positionals);
}

/** `-x`, `--xy`, `--xy=1`; a lone `-` (stdin, by convention) and negative numbers are values. */
function isOptionLike(arg: string): boolean {
  return arg.startsWith("-") && arg !== "-" && !/^-\d/.test(arg);
}

function optionName(
  arg: string,
  shorts: ReadonlyMap<string, string>,
): { name: string; inline?: string } {
  const equals = arg.indexOf("=");
  const flag = equals === -1 ? arg : arg.slice(0, equals);
  const inline = equals === -1 ? {} : { inline: arg.slice(equals + 1) };
  if (flag.startsWith("--")) return { name: flag.slice(2), ...inline };
  const long = shorts.get(flag.slice(1));
  if (long === undefined) throw new UsageProblem(`Unknown option ${quote(arg)}`);
  return { name: long, ...inline };
}

function readValue(flag: string, option: OptionSpec, raw: string | undefined): unknown {
  switch (option.type) {
    case "boolean":
      if (raw !== undefined) throw new UsageProblem(`Option "${flag}" takes no value`);
      return true;
    case "string":
      if (raw === undefined) throw missingValue(flag, option);
      if (option.choices && !option.choices.includes(raw)) {
        throw new UsageProblem(
          `Invalid value ${quote(raw)} for ${flag}: expected ${option.choices.join(" or ")}`,
        );
      }
      return raw;
    case "integer":
      if (raw === undefined) throw missingValue(flag, option);
      return readInteger(flag, option, raw);
  }
}

function missingValue(flag: string, option: OptionSpec): UsageProblem {
  return new UsageProblem(`Option "${flag}" needs a value: ${flag} ${option.value ?? "<value>"}`);
}

function readInteger(flag: string, option: OptionSpec, raw: string): number {
  const min = option.min ?? Number.MIN_SAFE_INTEGER;
  const max = option.max ?? Number.MAX_SAFE_INTEGER;
  const value = /^-?\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageProblem(
      `Invalid value ${quote(raw)} for ${flag}: expected an integer from ${min} to ${max}`,
    );
  }
  return value;
}

function store(
  values: Map<string, unknown>,
  name: string,
  entry: { option: OptionSpec; value: unknown },
): void {
  // A repeated single option keeps the last value, so a task can append an override.
  if (!entry.option.multiple) {
    values.set(name, entry.value);
    return;
  }
  const list = values.get(name) as unknown[] | undefined;
  if (list === undefined) values.set(name, [entry.value]);
  else list.push(entry.value);
}

function assemble<S extends CommandSpec>(
  spec: S,
  values: Map<string, unknown>,
  positionals: string[],
): ParsedArgs<S> {
  const declared = positionalsOf(spec);
  if (positionals.length > declared.length) {
    throw new UsageProblem(`Unexpected argument ${quote(positionals[declared.length]!)}`);
  }
  const args: Record<string, string> = {};
  declared.forEach((positional, index) => {
    const value = positionals[index];
    checkPositional(positional, value);
    if (value !== undefined) args[positional.name] = value;
  });
  const project = spec.project ? projectOf(args["path"], values.get("project")) : undefined;
  return {
    values: Object.fromEntries(values) as OptionValues<S>,
    args: args as ParsedArgs<S>["args"],
    ...(project === undefined ? {} : { project }),
  };
}

function checkPositional(positional: PositionalSpec, value: string | undefined): void {
  const label = positional.required ? `<${positional.name}>` : `[${positional.name}]`;
  if (value === undefined) {
    if (positional.required) throw new UsageProblem(`Missing argument ${label}`);
    return;
  }
  if (positional.choices && !positional.choices.includes(value)) {
    throw new UsageProblem(
      `Invalid ${label} ${quote(value)}: expected ${positional.choices.map(quote).join(" or ")}`,
    );
  }
}

function projectOf(path: string | undefined, option: unknown): string | undefined {
  const flag = option as string | undefined;
  if (path !== undefined && flag !== undefined && path !== flag) {
    throw new UsageProblem(
      `The project is given twice, as ${quote(path)} and as --project ${quote(flag)}: give it once`,
    );
  }
  return flag ?? path;
}

/**
 * A user's argument inside a message: in double quotes, with control characters escaped, so the
 * message stays on one line whatever was typed.
 *
 * @param text the argument
 * @returns the quoted text
 */
export function quote(text: string): string {
  return JSON.stringify(text);
}
