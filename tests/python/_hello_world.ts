/**
 * Helpers for the hello-world tests: a temporary copy of the example with its code generated.
 *
 * @module
 */

import { parseDirectory } from "../../parser/mod.ts";
import { generateProject, writeProject } from "../../codegen/mod.ts";

/** The example's folder. */
export const EXAMPLE = new URL("../../examples/hello-world", import.meta.url).pathname;

/** A temporary copy of hello-world with `src/generated` written by codegen; removed on dispose. */
export async function preparedCopy(): Promise<{ root: string } & AsyncDisposable> {
  const root = await Deno.makeTempDir({ prefix: "rohas-hello-world-" });
  await copyTree(EXAMPLE, root, (name) => name !== "generated" && name !== "__pycache__");
  const { schema } = await parseDirectory(`${root}/schema`);
  const files = generateProject(schema, { language: "python", projectName: "hello-world" });
  await writeProject(files.filter((f) => f.owner === "generated"), { root });
  return {
    root,
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }),
  };
}

async function copyTree(from: string, to: string, keep: (name: string) => boolean) {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (!keep(entry.name)) continue;
    const source = `${from}/${entry.name}`;
    const target = `${to}/${entry.name}`;
    if (entry.isDirectory) await copyTree(source, target, keep);
    else if (entry.isFile) await Deno.copyFile(source, target);
  }
}
