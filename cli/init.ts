/**
 * `rohas init <name> [--lang ts|python] [--example hello|blank] [--rohas <path-or-url>]`: creates a
 * working project, runs codegen, and prints the next steps.
 *
 * @module
 */

import { basename, isAbsolute, resolve } from "node:path";
import type { CliIo, Command } from "./command.ts";
import { type CodegenLanguage, DEFAULT_CLI, initProjectFiles } from "../codegen/mod.ts";
import { RohasError } from "../errors.ts";
import { runCodegen } from "./codegen.ts";
import { parseCommandArgs } from "./_args.ts";
import { parseLanguage } from "./_language.ts";

const HELP = `Usage: rohas init <name> [options]

Creates the project <name>: an example schema, config/rohas.toml, example handlers, deno.json with
the tasks dev, start, codegen and validate, then runs codegen.

Options:
  -l, --lang <lang>        typescript|ts (default) or python|py
  -e, --example <name>     hello (default: a model, APIs, an event, a cron, a WebSocket) or blank
      --rohas <path|url>   Run the CLI from this checkout or URL in the deno.json tasks
                           (default: jsr:@rohas/cli)
  -h, --help               Show this help

Example:
  rohas init app --lang python
`;

/** The `init` command. */
export const command: Command = {
  name: "init",
  summary: "Create a new project",
  help: HELP,
  run,
};

/** What `rohas init` was asked for. */
interface InitArgs {
  name: string;
  language: CodegenLanguage;
  example: "hello" | "blank";
  /** The command the deno.json tasks run. */
  cli: string;
}

async function run(args: string[], io: CliIo): Promise<number> {
  let init: InitArgs | null;
  try {
    init = readArgs(args, io);
  } catch (error) {
    if (!(error instanceof RohasError)) throw error;
    io.stderr(`Error: ${error.message}\n`);
    return 1;
  }
  if (init === null) return 1;
  const root = resolve(io.cwd, init.name);
  if (!(await isEmptyOrMissing(root))) {
    io.stderr(`Error: Directory "${init.name}" already exists and is not empty\n`);
    return 1;
  }
  const projectName = basename(root);
  await writeFiles(
    root,
    initProjectFiles(projectName, { language: init.language, example: init.example }),
  );
  io.stdout(`Created project "${projectName}" in ${root}\n`);
  const code = await runCodegen(io, {
    root,
    outputDir: "src",
    schemaPath: `${root}/schema`,
    configRoot: root,
    language: init.language,
    cli: init.cli,
  });
  if (code !== 0) return code;
  io.stdout(
    ["", "Next steps:", `  cd ${init.name}`, "  deno task dev", "  deno task dev --workbench", ""]
      .join("\n"),
  );
  return 0;
}

/** Reads the arguments; null after a usage error it printed, RohasError for a bad value. */
function readArgs(args: string[], io: CliIo): InitArgs | null {
  const parsed = parseCommandArgs(args, {
    command: "init",
    options: {
      lang: { type: "string", short: "l" },
      example: { type: "string", short: "e" },
      rohas: { type: "string" },
    },
    maxPositionals: 1,
    io,
  });
  if (parsed === null) return null;
  const { values, positionals } = parsed;
  const name = positionals[0];
  if (name === undefined) throw new RohasError('Expected one project name: "rohas init <name>"');
  const example = values.example ?? "hello";
  if (example !== "hello" && example !== "blank") {
    throw new RohasError(`Unknown example: "${example}": use hello or blank`);
  }
  const language = parseLanguage(values.lang ?? "typescript");
  return { name, language, example, cli: cliCommand(values.rohas, io.cwd) };
}

async function writeFiles(root: string, files: { path: string; content: string }[]): Promise<void> {
  for (const file of files) {
    const path = `${root}/${file.path}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(path, file.content);
  }
}

/**
 * The command the `deno.json` tasks run: the JSR package, or a local checkout (made absolute, with
 * its own `deno.json` so its imports resolve), or a URL.
 */
function cliCommand(rohas: string | undefined, cwd: string): string {
  if (rohas === undefined) return DEFAULT_CLI;
  if (/^[a-z][a-z0-9+.-]+:/i.test(rohas) && !isAbsolute(rohas)) {
    const base = rohas.replace(/\/+$/, "");
    return `deno run -A ${base.endsWith(".ts") ? base : `${base}/cli.ts`}`;
  }
  const path = resolve(cwd, rohas);
  if (path.endsWith(".ts")) return `deno run -A ${path}`;
  return `deno run -A --config ${path}/deno.json ${path}/cli.ts`;
}

async function isEmptyOrMissing(path: string): Promise<boolean> {
  try {
    for await (const _ of Deno.readDir(path)) return false;
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return true;
    throw error;
  }
}
