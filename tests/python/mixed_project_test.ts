/**
 * Mixed projects under `rohas dev`: a handler's language is decided by which file exists, so a
 * TypeScript project can have Python handlers and the other way round.
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { startDevServer } from "./_server.ts";
import { type TempDir, tempDir } from "../../testing/mod.ts";

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

function mixedProject(language: string): Promise<TempDir> {
  return tempDir({
    prefix: "rohas-mixed-",
    files: {
      "schema/api.ro": SCHEMA,
      "config/rohas.toml": `[project]\nname = "mixed"\nlanguage = "${language}"\n\n` +
        `[adapter]\ntype = "memory"\n\n[telemetry]\ntype = "memory"\n`,
      "src/handlers/api/from_ts.ts": TS_HANDLER,
      "src/handlers/api/from_py.py": PY_HANDLER,
    },
  });
}

for (const language of ["typescript", "python"]) {
  Deno.test(`a ${language} project serves both a TypeScript and a Python handler`, async () => {
    await using project = await mixedProject(language);
    await using server = await startDevServer(project.path);
    const ts = await fetch(`${server.base}/ts`);
    assertEquals([ts.status, await ts.json()], [200, { data: { lang: "ts" } }]);
    const py = await fetch(`${server.base}/py/ada?x=1&x=2&y=z`);
    assertEquals([py.status, await py.json()], [200, {
      data: { lang: "py", name: "ada", q: { x: ["1", "2"], y: "z" } },
    }]);
  });
}
