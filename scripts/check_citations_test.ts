import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { dirname, join } from "node:path";
import { findBrokenCitations } from "./check_citations.ts";

async function tree(files: Record<string, string>): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix: "rohas_citations_" });
  for (const [file, text] of Object.entries(files)) {
    await Deno.mkdir(dirname(join(path, file)), { recursive: true });
    await Deno.writeTextFile(join(path, file), text);
  }
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

const DOCS = {
  "docs/design.md": "# Design\n\n## D3 Requests and validation\n\n### `deno.json` enforces it\n",
  "README.md": "# Readme\n",
};

Deno.test("findBrokenCitations() reports a mention of a document the repository does not have", async () => {
  await using dir = await tree({
    ...DOCS,
    "engine/pipeline.ts": "/**\n * The pipeline (DESIGN.md D3).\n */\nexport {};\n",
  });
  const broken = await findBrokenCitations(dir.path);
  assertEquals(broken, [{
    file: "engine/pipeline.ts",
    line: 2,
    column: 18,
    target: "DESIGN.md",
    problem: "missing file",
  }]);
});

Deno.test("findBrokenCitations() accepts mentions found beside the file or from the root", async () => {
  await using dir = await tree({
    ...DOCS,
    "adapters/README.md": "# Adapters\n",
    "adapters/mod.ts": "// See README.md and docs/design.md#d3-requests-and-validation.\n",
    "engine/x.ts": "// docs/design.md#denojson-enforces-it, ../docs/design.md, README.md\n",
  });
  assertEquals(await findBrokenCitations(dir.path), []);
});

Deno.test("findBrokenCitations() checks the heading an anchor names", async () => {
  await using dir = await tree({
    ...DOCS,
    "engine/x.ts": "// docs/design.md#d3-requests and docs/design.md#d3-requests-and-validation\n",
  });
  const broken = await findBrokenCitations(dir.path);
  assertEquals(broken.map((b) => [b.target, b.problem]), [
    ["docs/design.md#d3-requests", "missing heading"],
  ]);
});

Deno.test("findBrokenCitations() resolves Markdown links beside their file, anchors included", async () => {
  await using dir = await tree({
    ...DOCS,
    "adapters/README.md": [
      "# Adapters",
      "[design](../docs/design.md#d3-requests-and-validation) ![shot](../docs/none.png)",
      "[other](OTHER.md) [web](https://example.com/x.md) [here](#adapters) [gone](#nope)",
      "```ts",
      "// MISSING.md inside a code block is an example, not a citation",
      "```",
      "`GONE.md` in a code span is a mention too",
    ].join("\n"),
  });
  const broken = await findBrokenCitations(dir.path);
  assertEquals(broken.map((b) => [b.line, b.target, b.problem]), [
    [2, "../docs/none.png", "missing file"],
    [3, "OTHER.md", "missing file"],
    [3, "#nope", "missing heading"],
    [7, "GONE.md", "missing file"],
  ]);
});

Deno.test("findBrokenCitations() ignores file paths built at run time and skipped folders", async () => {
  await using dir = await tree({
    "tests/x_test.ts": "await Deno.stat(`${dir}/README.md`); await Deno.stat('/tmp/a.md');\n",
    "tests/fixtures/a.ts": "// GONE.md\n",
    "workbench/dist/app.ts": "// GONE.md\n",
  });
  assertEquals(await findBrokenCitations(dir.path), []);
});

Deno.test("the repository has no broken citation", async () => {
  const root = new URL("..", import.meta.url).pathname;
  assertEquals(await findBrokenCitations(root), []);
});
