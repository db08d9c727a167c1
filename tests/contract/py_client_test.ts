// The Python client (pydantic, httpx, websockets) against the running example, sync and async,
// and mypy on code that misuses its types.
import assert from "node:assert/strict";
import { requirePythonModule, run } from "../codegen/_helpers.ts";
import { REPO, rohas, tempDir } from "../../testing/mod.ts";
import { startServer } from "../engine/_server.ts";

const EXAMPLE = `${REPO}/examples/hello-ts`;
const TESTDATA = new URL("./testdata/", import.meta.url).pathname;

async function clientIn(dir: string): Promise<void> {
  const result = await rohas(["codegen", "--client", "python", "--out", dir], { cwd: EXAMPLE });
  assert.equal(result.code, 0, result.stderr);
}

Deno.test("the Python client calls the example over HTTP and WebSockets, sync and async", async () => {
  for (const module of ["pydantic", "httpx", "websockets"]) await requirePythonModule(module);
  await using dir = await tempDir();
  await clientIn(dir.path);
  await Deno.copyFile(`${TESTDATA}/use_client.py`, `${dir.path}/use_client.py`);
  await using server = await startServer();
  const result = await run("python3", ["use_client.py", server.url], { cwd: dir.path });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.trim(), "ok");
});

Deno.test("mypy --strict accepts the client and correct code, and rejects each misuse", async () => {
  await requirePythonModule("mypy");
  await using dir = await tempDir();
  await clientIn(dir.path);
  for (const file of ["use_client.py", "misuse_client.py"]) {
    await Deno.copyFile(`${TESTDATA}/${file}`, `${dir.path}/${file}`);
  }
  const mypy = (file: string) =>
    run("python3", ["-m", "mypy", "--strict", "--no-incremental", file], { cwd: dir.path });
  const correct = await mypy("use_client.py");
  assert.equal(correct.code, 0, correct.stdout);
  const misuse = await mypy("misuse_client.py");
  assert.equal(misuse.code, 1, misuse.stdout);
  const source = (await Deno.readTextFile(`${TESTDATA}/misuse_client.py`)).split("\n");
  const marked = source.flatMap((line, i) => line.includes("# misuse") ? [i + 1] : []);
  const flagged = [...misuse.stdout.matchAll(/^misuse_client\.py:(\d+): error/gm)].map((m) =>
    Number(m[1])
  );
  assert.deepEqual([...new Set(flagged)], marked, misuse.stdout);
});
