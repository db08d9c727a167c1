import assert from "node:assert/strict";
import { join } from "node:path";
import { kvOver, openDenoKvBackend } from "../../state/mod.ts";
import { DelayedEvents } from "../../engine/delayed/mod.ts";
import type { DelayedEvent } from "../../engine/delayed/mod.ts";
import { rohas, tempDir } from "../../testing/mod.ts";

const SCHEMA = `event OrderReminder {
  payload: Json
  handler: [remind]
}
`;

function config(state: string): string {
  return `[project]
name = "delayed-cli"
version = "0.1.0"
language = "typescript"

[state]
${state}
`;
}

Deno.test("rohas delayed lists the delayed events waiting in the project's state, soonest first, and --json", async () => {
  await using dir = await tempDir({
    files: {
      "config/rohas.toml": config('type = "denokv"\npath = ".rohas/state.kv"'),
      "schema/events.ro": SCHEMA,
    },
  });
  assert.match((await rohas(["delayed", "-C", dir.path])).stdout, /^No delayed events waiting\n$/);
  const kv = kvOver(await openDenoKvBackend({ path: join(dir.path, ".rohas/state.kv") }));
  const delayed = new DelayedEvents({
    kv,
    instanceId: "test",
    publish: () => Promise.resolve(),
    telemetry: { metric: () => {}, log: () => {} },
  });
  const cause = { parentId: null, source: "test" };
  await delayed.schedule("OrderReminder", { id: 2 }, cause, {
    at: Date.UTC(2031, 0, 1),
    key: "o-2",
  });
  await delayed.schedule("OrderReminder", { id: 1 }, cause, { at: Date.UTC(2030, 0, 1) });
  await delayed.schedule("Other", {}, cause, { at: Date.UTC(2032, 0, 1) });
  await kv.close();

  const table = await rohas(["delayed", "-C", dir.path]);
  assert.equal(table.code, 0, table.stderr);
  const lines = table.stdout.split("\n");
  assert.match(lines[0]!, /^DUE\s+EVENT\s+HANDLER\s+KEY\s+STATE$/);
  assert.match(lines[1]!, /^2030-01-01T00:00:00\.000Z\s+OrderReminder\s+all\s+-\s+waiting$/);
  assert.match(lines[2]!, /^2031-01-01T00:00:00\.000Z\s+OrderReminder\s+all\s+o-2\s+waiting$/);
  assert.match(table.stdout, /\n3 delayed events waiting\n$/);

  const json = await rohas(["delayed", "OrderReminder", dir.path, "--json"]);
  const listed = JSON.parse(json.stdout) as DelayedEvent[];
  assert.deepEqual(listed.map((d) => [d.event, d.key, d.dueAt]), [
    ["OrderReminder", null, "2030-01-01T00:00:00.000Z"],
    ["OrderReminder", "o-2", "2031-01-01T00:00:00.000Z"],
  ]);
});

Deno.test("rohas delayed says where to look when the state lives inside the engine", async () => {
  await using dir = await tempDir({
    files: { "config/rohas.toml": config('type = "memory"'), "schema/events.ro": SCHEMA },
  });
  const run = await rohas(["delayed", "-C", dir.path]);
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    /Error: Cannot list delayed events: \[state\] type "memory" lives inside/,
  );
});
