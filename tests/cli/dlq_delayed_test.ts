import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { join } from "node:path";
import { freePort, rohas, tempDir } from "../../testing/mod.ts";
import { dlqConfig, eventually, listJson, startDev } from "./_dlq_support.ts";

/** The schema when the reminder is scheduled, and again once fixed: a note is its text. */
const ACCEPTING = `model Note {
  text String
}

api Remind {
  method: POST
  path: "/remind"
  body: Json
  response: Json
}

event Reminder {
  payload: Note
  handler: [remind_user, audit_reminder]
}
`;

/** A deploy in between makes a note need a due date, which the waiting reminder lacks. */
const REFUSING = ACCEPTING.replace("text String", "text String\n  due  String");

const REMIND = `export function handleRemind(
  req: { body: unknown },
  state: { triggerEvent(e: string, p: unknown, o: { delay: number }): void },
) {
  state.triggerEvent("Reminder", req.body, { delay: 1500 });
  return { data: { scheduled: true } };
}
`;

/** A handler that records each reminder it sees in out/<name>.log. */
function recorder(name: string): string {
  return `export function handle${name}(event: { payload: unknown }) {
  const log = new URL("../../../out/${name}.log", import.meta.url);
  Deno.writeTextFileSync(log, JSON.stringify(event.payload) + "\\n", { append: true });
}
`;
}

function config(port: number): string {
  const writers = ["remind_user", "audit_reminder"];
  return dlqConfig({ name: "dlq-delayed", port, adapter: `type = "denokv"`, writers });
}

Deno.test("a delayed event the redeployed schema refuses is dead-lettered for every handler, and rohas dlq replays it to both once the schema is fixed", async () => {
  await using project = await tempDir({
    prefix: "rohas_dlq_delayed_test_",
    files: {
      "config/rohas.toml": config(freePort()),
      "schema/app.ro": ACCEPTING,
      "src/handlers/api/remind.ts": REMIND,
      "src/handlers/events/remind_user.ts": recorder("RemindUser"),
      "src/handlers/events/audit_reminder.ts": recorder("AuditReminder"),
      "out/.keep": "",
    },
  });
  const root = project.path;
  const schema = join(root, "schema/app.ro");
  {
    await using engine = await startDev(root, { workbench: false });
    const response = await fetch(`${engine.url}/remind`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "call back" }),
    });
    assertEquals(response.status, 200);
    await response.body?.cancel();
  }
  // Redeployed before the reminder is due: the new schema refuses its payload.
  await Deno.writeTextFile(schema, REFUSING);
  await using engine = await startDev(root, { workbench: false });
  const [letter] = await eventually("the dead letter", async () => {
    const letters = await listJson(root, "Reminder");
    return letters.length > 0 ? letters : undefined;
  });
  assertEquals([letter!.group, letter!.attempt, letter!.payload], ["*", 1, { text: "call back" }]);
  ok(letter!.error.includes("Note"), letter!.error);
  const human = await rohas(["dlq", "list", "Reminder", "-C", root]);
  ok(human.stdout.includes(`group * (publish: every handler)  id ${letter!.id}`), human.stdout);

  const refused = await rohas(["dlq", "replay", "Reminder", "--id", letter!.id, "-C", root]);
  assertEquals(refused.code, 1, refused.stdout);
  ok(refused.stderr.includes("does not match Note"), refused.stderr);
  assertEquals((await listJson(root, "Reminder")).length, 1, "kept while the schema refuses it");

  await Deno.writeTextFile(schema, ACCEPTING);
  const replay = await rohas(["dlq", "replay", "Reminder", "--id", letter!.id, "-C", root]);
  assertEquals(replay.stderr, "");
  assertEquals(replay.stdout, `Replayed 1 dead letter of "Reminder" through the denokv adapter\n`);
  for (const name of ["RemindUser", "AuditReminder"]) {
    const seen = await eventually(`the replayed reminder in ${name}`, async () => {
      const text = await Deno.readTextFile(join(root, `out/${name}.log`)).catch(() => "");
      return text === "" ? undefined : text;
    });
    assertEquals(seen, `{"text":"call back"}\n`, name);
  }
  assertEquals(await listJson(root), []);
  ok(engine.url.startsWith("http://127.0.0.1:"));
});
