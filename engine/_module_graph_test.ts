import assert from "node:assert/strict";
import { tempDir } from "../testing/mod.ts";
import { ModuleGraph } from "./_module_graph.ts";

Deno.test("ModuleGraph finds the handlers importing a module directly or through others", async () => {
  await using dir = await tempDir({ prefix: "rohas_graph_" });
  await dir.write("a.ts", 'import { b } from "./lib/b.ts";\nexport const a = b;\n');
  await dir.write("lib/b.ts", 'export { c as b } from "./c.ts";\n');
  await dir.write("lib/c.ts", "export const c = 1;\n");
  await dir.write("d.ts", "export const d = 1;\n");
  const [a, c, d] = ["a.ts", "lib/c.ts", "d.ts"].map((f) => `${dir.path}/${f}`) as [
    string,
    string,
    string,
  ];
  const graph = new ModuleGraph({ root: dir.path });
  graph.refresh([a, d]);
  assert.deepEqual(await graph.dependents(c, [a, d]), [a]);
  assert.deepEqual(await graph.dependents(d, [a, d]), [d]);
  assert.deepEqual(await graph.dependents(`${dir.path}/unused.ts`, [a, d]), []);
  // A new import is found once the graph is rebuilt.
  await dir.write("d.ts", 'import { c } from "./lib/c.ts";\nexport const d = c;\n');
  graph.refresh();
  assert.deepEqual(await graph.dependents(c, [a, d]), [a, d]);
});

Deno.test("ModuleGraph.importsChanged tells an edit of code from an edit of imports", async () => {
  await using dir = await tempDir({ prefix: "rohas_graph_" });
  const file = `${dir.path}/a.ts`;
  const graph = new ModuleGraph({ root: dir.path });
  await dir.write("a.ts", 'import { b } from "./b.ts";\nexport const a = b;\n');
  assert.equal(await graph.importsChanged(file), true, "first seen");
  await dir.write("a.ts", 'import { b } from "./b.ts";\nexport const a = b + 1;\n');
  assert.equal(await graph.importsChanged(file), false);
  await dir.write("a.ts", 'import { b } from "./b.ts";\nconst c = await import("./c.ts");\n');
  assert.equal(await graph.importsChanged(file), true);
});
