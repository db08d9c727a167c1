/**
 * `rohas init <name> [--lang ts|python] [--example hello|blank] [--rohas <path-or-url>]`: creates a
 * working project, runs codegen, and prints the next steps.
 *
 * @module
 */

import { basename, dirname, isAbsolute, resolve } from "node:path";
import { CliUsageError, type CommandRun, type ParsedArgs } from "./command.ts";
import type { INIT } from "./commands.ts";
import {
  type CodegenLanguage,
  DEFAULT_CLI,
  type FrameworkSource,
  initProjectFiles,
} from "../codegen/mod.ts";
import { runCodegen } from "./codegen.ts";
import { parseLanguage } from "./_language.ts";

/** What `rohas init` was asked for. */
interface InitArgs {
  name: string;
  language: CodegenLanguage;
  example: "hello" | "blank";
  /** The command the deno.json tasks run. */
  cli: string;
  /** How the project imports the framework (`main.ts`). */
  framework: FrameworkSource;
}

/** Runs `rohas init`. */
export const run: CommandRun<typeof INIT> = async (parsed, io) => {
  const init = readArgs(parsed, io.cwd);
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
    framework: init.framework,
  });
  if (code !== 0) return code;
  io.stdout(nextSteps(init).join("\n"));
  return 0;
};

/** The init request from the parsed line; a bad `--lang` throws RohasError, an empty name CliUsageError. */
function readArgs({ values, args }: ParsedArgs<typeof INIT>, cwd: string): InitArgs {
  // The parser checked that the name is there and the example is one of the choices.
  const name = args.name!;
  if (name.trim() === "") throw new CliUsageError('Invalid <name> "": expected a directory name');
  const example = values.example ?? "hello";
  const language = parseLanguage(values.lang ?? "typescript");
  return {
    name,
    language,
    example,
    cli: cliCommand(values.rohas, cwd),
    framework: frameworkSource(values.rohas, cwd),
  };
}

function nextSteps(init: InitArgs): string[] {
  const lines = [
    "",
    "Next steps:",
    `  cd ${init.name}`,
    "  deno task dev        (the workbench is at /_rohas/)",
  ];
  if (init.language === "typescript") {
    lines.push("  deno task test       (tests/app_test.ts, through the test kit)");
    lines.push(
      "  deno task serve      (main.ts under deno serve --parallel; Deno Deploy runs it too)",
    );
    lines.push("  deno task compile    (a single binary)");
  } else {
    lines.push(
      "",
      "Note: deno task serve, Deno Deploy and deno compile run TypeScript handlers only: a Python",
      "project is served by deno task dev and deno task start (rohas start).",
    );
  }
  return [...lines, ""];
}

/** The framework import of `main.ts`: JSR, a linked local checkout, or a URL. */
function frameworkSource(rohas: string | undefined, cwd: string): FrameworkSource {
  if (rohas === undefined) return { kind: "jsr" };
  if (/^[a-z][a-z0-9+.-]+:/i.test(rohas) && !isAbsolute(rohas)) {
    return { kind: "url", base: rohas.replace(/\/+$/, "").replace(/\/cli\.ts$/, "") };
  }
  const path = resolve(cwd, rohas);
  return { kind: "link", path: path.endsWith(".ts") ? dirname(path) : path };
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
