/**
 * Mixed projects under `rohas dev`: a handler's language is decided by which file exists, so a
 * TypeScript project can have Python handlers and the other way round.
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { startDevServer } from "./_server.ts";

const SCHEMA = `api FromTs {
  method: GET
  path: "/ts"
  response: Json
}

api FromPy {
  method: GET
  path: "/py/{name}"
  response: Json
}
`;

const TS_HANDLER = `export function handleFromTs() {
  return { data: { lang: "ts" } };
}
`;

const PY_HANDLER = `async def handle_from_py(req, state):
    return {"data": {"lang": "py", "name": req.name, "q": req.query_params}}
`;

async function mixedProject(language: string): Promise<{ root: string } & AsyncDisposable> {
  const root = await Deno.makeTempDir({ prefix: "rohas-mixed-" });
  await Deno.mkdir(`${root}/schema`);
  await Deno.mkdir(`${root}/config`);
  await Deno.mkdir(`${root}/src/handlers/api`, { recursive: true });
  await Deno.writeTextFile(`${root}/schema/api.ro`, SCHEMA);
  await Deno.writeTextFile(
    `${root}/config/rohas.toml`,
    `[project]\nname = "mixed"\nlanguage = "${language}"\n\n[adapter]\ntype = "memory"\n\n` +
      `[telemetry]\ntype = "memory"\n`,
  );
  await Deno.writeTextFile(`${root}/src/handlers/api/from_ts.ts`, TS_HANDLER);
  await Deno.writeTextFile(`${root}/src/handlers/api/from_py.py`, PY_HANDLER);
  return { root, [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }) };
}

for (const language of ["typescript", "python"]) {
  Deno.test(`a ${language} project serves both a TypeScript and a Python handler`, async () => {
    await using project = await mixedProject(language);
    await using server = await startDevServer(project.root);
    const ts = await fetch(`${server.base}/ts`);
    assertEquals([ts.status, await ts.json()], [200, { data: { lang: "ts" } }]);
    const py = await fetch(`${server.base}/py/ada?x=1&x=2&y=z`);
    assertEquals([py.status, await py.json()], [200, {
      data: { lang: "py", name: "ada", q: { x: ["1", "2"], y: "z" } },
    }]);
  });
}
