/**
 * `rohas init <name> [--lang ts|python] [--example hello|blank] [--rohas <path-or-url>]`: creates a
 * working project, runs codegen, and prints the next steps.
 *
 * @module
 */

import { basename, isAbsolute, resolve } from "node:path";
import { CliUsageError, type CommandRun, type ParsedArgs } from "./command.ts";
import type { INIT } from "./commands.ts";
import { type CodegenLanguage, DEFAULT_CLI, initProjectFiles } from "../codegen/mod.ts";
import { runCodegen } from "./codegen.ts";
import { parseLanguage } from "./_language.ts";
import { exampleTest, type KitSource, withTestKit } from "./_init_tests.ts";

/** What `rohas init` was asked for. */
interface InitArgs {
  name: string;
  language: CodegenLanguage;
  example: "hello" | "blank";
  /** The command the deno.json tasks run. */
  cli: string;
  /** Where the test kit the example test imports comes from. */
  kit: KitSource;
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
  });
  if (code !== 0) return code;
  const next = ["", "Next steps:", `  cd ${init.name}`, "  deno task dev"];
  if (init.language === "typescript") {
    await addExampleTest(root, init);
    next.push("  deno task test");
  }
  io.stdout([...next, "  deno task dev --workbench", ""].join("\n"));
  return 0;
};

/** The init request from the parsed line; a bad `--lang` throws RohasError, an empty name CliUsageError. */
function readArgs({ values, args }: ParsedArgs<typeof INIT>, cwd: string): InitArgs {
  // The parser checked that the name is there and the example is one of the choices.
  const name = args.name!;
  if (name.trim() === "") throw new CliUsageError('Invalid <name> "": expected a directory name');
  const example = values.example ?? "hello";
  const language = parseLanguage(values.lang ?? "typescript");
  const kit = kitSource(values.rohas, cwd);
  return { name, language, example, cli: cliCommand(values.rohas, cwd), kit };
}

/** `tests/app_test.ts` through the test kit, and the `test` task with the kit's import. */
async function addExampleTest(root: string, init: InitArgs): Promise<void> {
  await Deno.mkdir(`${root}/tests`, { recursive: true });
  await Deno.writeTextFile(`${root}/tests/app_test.ts`, exampleTest(init.example));
  const config = `${root}/deno.json`;
  await Deno.writeTextFile(config, withTestKit(await Deno.readTextFile(config), init.kit));
}

/** Where the test kit comes from: where the CLI comes from (see {@linkcode cliCommand}). */
function kitSource(rohas: string | undefined, cwd: string): KitSource {
  if (rohas === undefined) return { kind: "jsr" };
  const base = rohas.replace(/\/+$/, "").replace(/\/cli\.ts$/, "");
  if (/^[a-z][a-z0-9+.-]+:/i.test(rohas) && !isAbsolute(rohas)) return { kind: "url", base };
  return { kind: "checkout", path: resolve(cwd, base) };
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
