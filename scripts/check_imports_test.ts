import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { checkImports, describeProblem, type ImportProblem } from "./check_imports.ts";
import { tempDir } from "../testing/mod.ts";

/** A tree of modules: `engine/` with a nested `engine/runtime/`, `telemetry/`, `tests/`. */
const BASE = {
  "engine/mod.ts": 'export { serve } from "./serve.ts";\n',
  "engine/serve.ts": "export function serve(): void {}\n",
  "engine/_private.ts": "export const secret = 1;\n",
  "engine/runtime/mod.ts": 'export { run } from "./run.ts";\n',
  "engine/runtime/run.ts": "export function run(): void {}\n",
  "engine/runtime/_pool.ts": "export const pool = 1;\n",
  "telemetry/mod.ts": 'export { record } from "./record.ts";\n',
  "telemetry/record.ts": "export function record(): void {}\n",
  "tests/_server.ts": "export const port = 1;\n",
  "bench/_project.ts": "export const size = 1;\n",
};

async function problems(
  files: Record<string, string>,
  exceptions: { from: string; to: string; why: string }[] = [],
  sideDoors: { file: string; why: string }[] = [],
): Promise<ImportProblem[]> {
  await using dir = await tempDir({ prefix: "rohas_imports_", files: { ...BASE, ...files } });
  return await checkImports(dir.path, { exceptions, sideDoors });
}

Deno.test("checkImports() accepts imports through doors and a module's use of its own files", async () => {
  assertEquals(
    await problems({
      "cli.ts": 'import { serve } from "./engine/mod.ts";\nserve();\n',
      "engine/serve_test.ts": 'import { serve } from "./serve.ts";\nimport "./_private.ts";\n',
      "engine/runtime/run_test.ts": 'import { run } from "./run.ts";\nimport "./_pool.ts";\n',
      "tests/e2e_test.ts": 'import { run } from "../engine/runtime/mod.ts";\n' +
        'import { port } from "./_server.ts";\n',
    }),
    [],
  );
});

Deno.test("checkImports() refuses a file of another folder that is not its door", async () => {
  const found = await problems({
    "telemetry/use.ts": 'import { serve } from "../engine/serve.ts";\nserve();\n',
    "tests/e2e_test.ts": '\nimport type { run } from "../engine/runtime/run.ts";\n',
  });
  assertEquals(found, [
    {
      kind: "door",
      file: "telemetry/use.ts",
      line: 1,
      imports: "engine/serve.ts",
      door: "engine/mod.ts",
    },
    {
      kind: "door",
      file: "tests/e2e_test.ts",
      line: 2,
      imports: "engine/runtime/run.ts",
      door: "engine/runtime/mod.ts",
    },
  ]);
});

Deno.test("checkImports() lets a nested module use its parent, and the parent its public files", async () => {
  const found = await problems({
    "engine/runtime/uses_parent.ts": 'import { secret } from "../_private.ts";\nsecret;\n',
    "engine/uses_child.ts":
      'import { run } from "./runtime/run.ts";\nimport "./runtime/_pool.ts";\n',
  });
  assertEquals(found.map(describeProblem), [
    "engine/uses_child.ts:2: imports engine/runtime/_pool.ts; go through engine/runtime/mod.ts",
  ]);
});

Deno.test("checkImports() keeps a private file of a folder without a door to its folder", async () => {
  const found = await problems({
    "tests/x_test.ts": 'import { size } from "../bench/_project.ts";\nsize;\n',
    "tests/engine/y_test.ts": 'import { port } from "../_server.ts";\nport;\n',
  });
  assertEquals(found.map(describeProblem), [
    "tests/x_test.ts:1: imports bench/_project.ts, a private file of another folder",
  ]);
});

Deno.test("checkImports() lets a private module serve its parent only", async () => {
  const found = await problems({
    "engine/_support/mod.ts": "export const help = 1;\n",
    "engine/runtime/use.ts": 'import { help } from "../_support/mod.ts";\nhelp;\n',
    "telemetry/use.ts": 'import { help } from "../engine/_support/mod.ts";\nhelp;\n',
  });
  assertEquals(found.map((p) => p.kind === "door" ? p.file : p.kind), ["telemetry/use.ts"]);
});

Deno.test("checkImports() finds dynamic imports, honours listed exceptions and reports stale ones", async () => {
  const files = {
    "telemetry/lazy.ts":
      'export async function load() {\n  return await import("../engine/serve.ts");\n}\n',
  };
  assertEquals((await problems(files)).map(describeProblem), [
    "telemetry/lazy.ts:2: imports engine/serve.ts; go through engine/mod.ts",
  ]);
  const why = "a test of the exception list";
  assertEquals(
    await problems(files, [{ from: "telemetry/lazy.ts", to: "engine/serve.ts", why }]),
    [],
  );
  assertEquals(
    (await problems({}, [{ from: "telemetry/lazy.ts", to: "engine/serve.ts", why }])).map(
      describeProblem,
    ),
    ["telemetry/lazy.ts no longer imports engine/serve.ts: remove the exception from EXCEPTIONS"],
  );
});

Deno.test("checkImports() lets other modules import a listed side door, and reports an unused one", async () => {
  const files = {
    "telemetry/use.ts": 'import { serve } from "../engine/serve.ts";\nserve();\n',
  };
  const why = "a test of the side doors";
  assertEquals(await problems(files, [], [{ file: "engine/serve.ts", why }]), []);
  assertEquals(
    (await problems({}, [], [{ file: "engine/serve.ts", why }])).map(describeProblem),
    ["engine/serve.ts is imported from no other module: remove it from SIDE_DOORS"],
  );
});

Deno.test("checkImports() reports a cycle between folders, type-only imports included", async () => {
  const found = await problems({
    "engine/serve.ts":
      'import { record } from "../telemetry/mod.ts";\nexport function serve() {\n' +
      "  record();\n}\n",
    "telemetry/record.ts": 'import type { run } from "../engine/runtime/mod.ts";\n' +
      "export function record(): typeof run | void {}\n",
  });
  assertEquals(found, [{
    kind: "cycle",
    level: "folder",
    cycle: ["engine", "telemetry"],
    via: [
      "engine/serve.ts:1 -> telemetry/mod.ts",
      "telemetry/record.ts:1 -> engine/runtime/mod.ts",
    ],
  }]);
});

Deno.test("checkImports() reports a cycle between nested modules but not a nested module's use of its parent", async () => {
  const found = await problems({
    "engine/events/mod.ts": 'import { run } from "../runtime/mod.ts";\nexport const bus = run;\n',
    "engine/runtime/run.ts": 'import { bus } from "../events/mod.ts";\nimport "../serve.ts";\n' +
      "export function run(): unknown {\n  return bus;\n}\n",
    "engine/serve.ts": 'import { run } from "./runtime/mod.ts";\nexport function serve() {\n' +
      "  run();\n}\n",
  });
  assertEquals(found.map((p) => p.kind === "cycle" ? [p.level, p.cycle] : p.kind), [
    ["module", ["engine/events", "engine/runtime"]],
  ]);
});

Deno.test("checkImports() leaves test code out of the cycle check", async () => {
  assertEquals(
    await problems({
      "telemetry/record_test.ts": 'import { port } from "../tests/helpers.ts";\nport;\n',
      "tests/helpers.ts":
        'import { record } from "../telemetry/mod.ts";\nexport const port = record;\n',
    }),
    [],
  );
});

Deno.test("the repository's imports go through doors and have no cycle", async () => {
  const root = new URL("..", import.meta.url).pathname;
  assertEquals((await checkImports(root)).map(describeProblem), []);
});
