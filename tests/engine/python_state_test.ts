// state.kv from Python handlers of a project served by `rohas dev` (the generated State, the
// Python host asking the server), shared with a Python cron run by `rohas cron run` in another
// process on the same denokv file. Needs python3 with its shared libpython and pydantic.
import assert from "node:assert/strict";
import { startServer } from "./_server.ts";
import { rohas, tempDir } from "../../testing/mod.ts";

const SCHEMA = `input NoteInput {
  id: String
  text: String
}

api SaveNote {
  method: POST
  path: "/notes"
  body: NoteInput
  response: Json
}

api ReadNote {
  method: GET
  path: "/notes/{id}"
  response: Json
}

cron CountNotes {
  schedule: "0 0 1 1 *"
}
`;

const FILES: Record<string, string> = {
  "src/handlers/api/save_note.py": `async def handle_save_note(req, state):
    body = req.body
    result = await state.kv.set(["notes", body.id], {"text": body.text})
    return {"data": {"ok": result.ok}}
`,
  // A sync handler: it runs on a thread, and runs its operations with state.kv.wait().
  "src/handlers/api/read_note.py": `from generated.state import HttpError


def handle_read_note(req, state):
    entry = state.kv.wait(state.kv.get(["notes", req.id]))
    if entry.value is None:
        raise HttpError(404, "No such note")
    count = state.kv.wait(state.kv.get(["count"]))
    return {"data": {"text": entry.value["text"], "counted": count.value}}
`,
  "src/handlers/cron/count_notes.py": `async def handle_count_notes(state):
    notes = await state.kv.list(prefix=["notes"])
    await state.kv.set(["count"], len(notes))
`,
};

Deno.test("Python handlers under rohas dev and a Python cron in another process share state.kv", async () => {
  await using project = await tempDir({ prefix: "rohas-py-state-" });
  const dir = project.path;
  await Deno.mkdir(`${dir}/schema`, { recursive: true });
  await Deno.mkdir(`${dir}/config`, { recursive: true });
  await Deno.writeTextFile(`${dir}/schema/app.ro`, SCHEMA);
  await Deno.writeTextFile(
    `${dir}/config/rohas.toml`,
    `[project]\nname = "pystate"\nlanguage = "python"\n\n[adapter]\ntype = "memory"\n\n` +
      `[telemetry]\ntype = "memory"\n`,
  );
  for (const [path, text] of Object.entries(FILES)) {
    await Deno.mkdir(`${dir}/${path.split("/").slice(0, -1).join("/")}`, { recursive: true });
    await Deno.writeTextFile(`${dir}/${path}`, text);
  }
  await using server = await startServer({ from: dir });
  for (const id of ["a", "b", "c"]) {
    const res = await fetch(`${server.url}/notes`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id, text: `note ${id}` }),
    });
    assert.deepEqual(await res.json(), { data: { ok: true } });
  }
  const cron = await rohas(["cron", "run", "CountNotes", server.dir], {
    cwd: server.dir,
    process: true,
  });
  assert.equal(cron.code, 0, cron.stderr + cron.stdout);
  const read = await fetch(`${server.url}/notes/b`);
  assert.deepEqual(await read.json(), { data: { text: "note b", counted: 3 } });
  const missing = await fetch(`${server.url}/notes/z`);
  assert.equal(missing.status, 404);
  await missing.body?.cancel();
});
