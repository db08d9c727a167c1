// The bundled showcase (examples/hello-ts, `deno task demo`) is written against its generated
// types: every handler and middleware imports them, and the example type-checks.
import assert from "node:assert/strict";
import { fromFileUrl } from "./_helpers.ts";

const example = fromFileUrl(new URL("../../examples/hello-ts/", import.meta.url));

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...await sourceFiles(path));
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out.sort();
}

Deno.test("every hello-ts handler and middleware takes its types from the generated code", async () => {
  const files = [
    ...await sourceFiles(`${example}/src/handlers`),
    ...await sourceFiles(`${example}/src/middlewares`),
  ];
  assert.ok(files.length > 30, `only ${files.length} files`);
  const untyped: string[] = [];
  for (const file of files) {
    const text = await Deno.readTextFile(file);
    const imports = /from "(\.\.\/)+generated\/[\w/]+\.ts"/.test(text);
    const handWritten = /\binterface \w+|: unknown\)|\(\w+: \{/.test(text);
    if (!imports || handWritten) untyped.push(file.slice(example.length + 1));
  }
  assert.deepEqual(untyped, []);
});

Deno.test("the hello-ts example type-checks", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["check", `${example}/src`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
});
