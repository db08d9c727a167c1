// A Python project through the engine's CLI paths: `rohas cron run` with a Python cron, start-up
// and calls when libpython is missing, and schema hot reload reaching the generated Python modules.
// Needs python3 with its shared libpython and pydantic (as tests/python does).
import assert from "node:assert/strict";
import { eventually, startServer } from "./_server.ts";
import { findProject, loadConfig } from "../../project/mod.ts";
import { prepareApp } from "../../engine/mod.ts";
import { createProjectRuntime } from "../../engine/mod.ts";
import { rohas, type TempDir, tempDir } from "../../testing/mod.ts";

const MISSING_LIBRARY = "/nonexistent/rohas-test/libpython3.99.so";

const SCHEMA = `model Note {
  id   String @id
  text String
}

api GetNote {
  method: GET
  path: "/note"
  response: Json
}

cron Tick {
  schedule: "0 0 1 1 *"
  triggers: [Ticked]
}

event Ticked {
  payload: Json
  handler: [count_tick]
}
`;

const FILES: Record<string, string> = {
  "src/handlers/api/get_note.py": `from generated.models.note import Note


def handle_get_note(req):
    return {"data": {"fields": sorted(Note.model_fields.keys())}}
`,
  "src/handlers/cron/tick.py": `def handle_tick(state):
    state.logger.info("tick")
    return {"data": {"n": 1}}
`,
  "src/handlers/events/count_tick.py": `from pathlib import Path

TICKS = Path(__file__).resolve().parents[3] / "ticks.txt"


def handle_count_tick(event):
    with TICKS.open("a") as f:
        f.write("tick\\n")
`,
};

/** Writes the Python project into `dir` (replacing what is there). */
async function writePythonProject(dir: string, configExtra = ""): Promise<void> {
  for (const sub of ["schema", "src", "config"]) {
    await Deno.remove(`${dir}/${sub}`, { recursive: true }).catch(() => {});
  }
  await Deno.mkdir(`${dir}/schema`, { recursive: true });
  await Deno.mkdir(`${dir}/config`, { recursive: true });
  await Deno.writeTextFile(`${dir}/schema/app.ro`, SCHEMA);
  await Deno.writeTextFile(
    `${dir}/config/rohas.toml`,
    `[project]\nname = "pyapp"\nlanguage = "python"\n\n[adapter]\ntype = "memory"\n\n` +
      `[telemetry]\ntype = "memory"\n${configExtra}`,
  );
  for (const [path, text] of Object.entries(FILES)) {
    await Deno.mkdir(`${dir}/${path.split("/").slice(0, -1).join("/")}`, { recursive: true });
    await Deno.writeTextFile(`${dir}/${path}`, text);
  }
}

async function tempProject(configExtra = ""): Promise<TempDir> {
  const dir = await tempDir({ prefix: "rohas-py-engine-" });
  await writePythonProject(dir.path, configExtra);
  return dir;
}

const badLibrary = `\n[runtime.python]\nlibrary = "${MISSING_LIBRARY}"\n`;

Deno.test("rohas cron run runs a Python cron and the Python handler of its trigger", async () => {
  await using project = await tempProject();
  const out = await rohas(["cron", "run", "Tick", project.path], {
    cwd: project.path,
    process: true,
  });
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /Cron job "Tick" ran \(trace [0-9a-f-]+\); 1 event deliveries handled/);
  assert.equal(await Deno.readTextFile(`${project.path}/ticks.txt`), "tick\n");
});

Deno.test("rohas dev refuses to start a Python project when libpython cannot be loaded", async () => {
  await using project = await tempProject(badLibrary);
  const out = await rohas(["dev", "--no-watch", "--port", "0", project.path], {
    cwd: project.path,
    process: true,
  });
  assert.equal(out.code, 1);
  assert.match(out.stderr, /Error: Cannot load libpython/);
  assert.ok(out.stderr.includes(MISSING_LIBRARY), out.stderr);
  assert.doesNotMatch(out.stdout, /listening/);
});

Deno.test("rohas cron run fails with the list of libraries tried when libpython is missing", async () => {
  await using project = await tempProject(badLibrary);
  const out = await rohas(["cron", "run", "Tick", project.path], {
    cwd: project.path,
    process: true,
  });
  assert.equal(out.code, 1);
  assert.match(out.stderr, /Cannot load libpython/);
  assert.ok(out.stderr.includes(MISSING_LIBRARY), out.stderr);
});

Deno.test("a Python call without libpython fails with the locate error instead of rejecting", async () => {
  await using project = await tempProject(badLibrary);
  const location = await findProject(project.path, { cwd: project.path });
  const { config } = await loadConfig(location.root, { env: {} });
  const prepared = await prepareApp({ ...location, config, codegen: true });
  assert.ok(prepared.ok);
  const runtime = createProjectRuntime(location.root, config, prepared.model);
  try {
    const handler = prepared.model.schedules[0]!.handler;
    assert.equal(handler.language, "python");
    const result = await runtime.invoke({
      handler,
      input: { kind: "cron" },
      traceId: "t-1",
      timeoutMs: 5_000,
    });
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.reason, "error");
    assert.equal(result.error.name, "PythonLibraryNotFoundError");
    assert.ok(result.error.message.includes(MISSING_LIBRARY), result.error.message);
    const reloaded = await runtime.reload(handler.file);
    assert.ok(reloaded?.message.includes(MISSING_LIBRARY));
  } finally {
    await runtime.close();
  }
});

Deno.test("a schema edit under rohas dev reaches the generated Python classes a handler imports", async () => {
  await using server = await startServer({
    watch: true,
    prepare: (dir) => writePythonProject(dir),
  });
  const fields = async () => {
    const res = await fetch(`${server.url}/note`);
    const json = await res.json();
    assert.equal(res.status, 200, JSON.stringify(json));
    return json.data.fields as string[];
  };
  assert.deepEqual(await fields(), ["id", "text"]);
  await Deno.writeTextFile(
    `${server.dir}/schema/app.ro`,
    SCHEMA.replace("  text String\n", "  text String\n  title String?\n"),
  );
  await server.waitFor(/Schema reloaded/);
  await eventually(async () => {
    const now = await fields();
    return now.includes("title") ? now : undefined;
  }, "the handler seeing the new field");
  assert.deepEqual(await fields(), ["id", "text", "title"]);
});

Deno.test("a schema edit under rohas dev can add the first Python handler of a TypeScript project", async () => {
  await using server = await startServer({ watch: true });
  await Deno.writeTextFile(
    `${server.dir}/src/handlers/api/from_python.py`,
    'def handle_from_python(req):\n    return {"data": {"lang": "python"}}\n',
  );
  await Deno.writeTextFile(
    `${server.dir}/schema/extra.ro`,
    'api FromPython {\n  method: GET\n  path: "/from-python"\n  response: Json\n}\n',
  );
  await server.waitFor(/Schema reloaded/);
  const res = await fetch(`${server.url}/from-python`);
  assert.deepEqual([res.status, await res.json()], [200, { data: { lang: "python" } }]);
});
