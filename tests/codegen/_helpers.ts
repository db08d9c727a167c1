/**
 * Shared helpers of the codegen end-to-end tests.
 *
 * @module
 */

import { parseSchema, type Schema, validateSchema } from "../../parser/mod.ts";
import { type CodegenLanguage, generateProject, writeProject } from "../../codegen/mod.ts";

import { REPO } from "../../testing/mod.ts";

/** Parses a fixture of tests/fixtures/codegen and asserts it has no errors. */
export async function fixtureSchema(name = "rich.ro"): Promise<Schema> {
  const file = `${REPO}/tests/fixtures/codegen/${name}`;
  const { schema, diagnostics, locations } = parseSchema(await Deno.readTextFile(file), { file });
  const all = [...diagnostics, ...validateSchema(schema, { locations })];
  const errors = all.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(`Fixture ${name} is invalid: ${errors[0]!.message}`);
  return schema;
}

/** Generates and writes a project for `schema` under `root`. */
export async function writeGenerated(
  schema: Schema,
  root: string,
  language: CodegenLanguage,
): Promise<void> {
  await writeProject(generateProject(schema, { language }), { root });
}

/** Runs a command to completion; returns its exit code and output. */
export async function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(command, {
    args,
    cwd: options.cwd,
    stdout: "piped",
    stderr: "piped",
    ...(options.env ? { env: options.env } : {}),
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Whether a Python module can be imported by `python3`. */
export async function hasPythonModule(module: string): Promise<boolean> {
  try {
    const result = await run("python3", ["-c", `import ${module}`], { cwd: REPO });
    return result.code === 0;
  } catch {
    return false;
  }
}

/** Fails with how to install it when a Python module the test needs is missing (never skips). */
export async function requirePythonModule(module: string): Promise<void> {
  if (!(await hasPythonModule(module))) {
    throw new Error(`Python module "${module}" is not installed: run scripts/setup.sh`);
  }
}

/** Strips ANSI colour codes from tool output. */
export function plain(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}
