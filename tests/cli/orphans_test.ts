// A handler file whose schema entry was removed ("orphan"): codegen, dev and start name it with
// what to do and why `deno check` fails on it, and never delete it.
import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  ok as assert,
} from "node:assert/strict";
import { REPO, rohas, tempDir } from "../../testing/mod.ts";
import { startServer } from "../engine/_server.ts";

const API = (name: string, path: string) =>
  `api ${name} {\n  method: GET\n  path: "${path}"\n  response: Json\n}\n`;

const ORPHAN =
  /src\/handlers\/api\/old_report\.ts:1:1: warning\[orphan-handler\]: Handler file src\/handlers\/api\/old_report\.ts matches no schema entry \(its API, event, cron job, WebSocket or middleware was removed or renamed\); `deno check` fails on it because the generated module it imports was deleted with the schema entry: move its code to the new handler's file and delete it, or restore the schema entry; Rohas never deletes it and never runs it\n/;

async function projectWithOrphan() {
  const dir = await tempDir({
    prefix: "rohas-orphans-",
    files: {
      "schema/api.ro": API("Health", "/health") + API("OldReport", "/report"),
      "config/rohas.toml": `[project]\nname = "orphans"\n\n[telemetry]\ntype = "memory"\n`,
      // A helper and a test beside the handlers are not orphans.
      "src/handlers/api/_shared.ts": "export const x = 1;\n",
      "src/handlers/api/health_test.ts": "",
      "src/handlers/api/health.ts":
        'export function handleHealth() {\n  return { data: "ok" };\n}\n',
    },
  });
  const first = await rohas(["codegen", dir.path], { process: true });
  assertEquals(first.code, 0, first.stderr);
  await Deno.writeTextFile(`${dir.path}/schema/api.ro`, API("Health", "/health"));
  return dir;
}

Deno.test("rohas codegen names a handler file whose schema entry was removed, says why deno check fails, and keeps it", async () => {
  await using dir = await projectWithOrphan();
  const run = await rohas(["codegen", dir.path], { process: true });
  assertEquals(run.code, 0, run.stderr);
  assertMatch(run.stdout, /deleted {2}src\/generated\/api\/old_report\.ts/);
  assertMatch(run.stderr, ORPHAN);
  assertEquals(run.stderr.match(/orphan-handler/g)?.length, 1, run.stderr);
  assert((await Deno.stat(`${dir.path}/src/handlers/api/old_report.ts`)).isFile);
  // What the warning explains: the orphan imports the deleted generated module.
  const check = await new Deno.Command(Deno.execPath(), {
    args: ["check", `${dir.path}/src/handlers/api/old_report.ts`],
    cwd: REPO,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(check.success, false);
});

Deno.test("rohas dev and rohas start warn about an orphaned handler file at start and still serve", async () => {
  await using dir = await projectWithOrphan();
  for (const command of ["dev", "start"] as const) {
    await using server = await startServer({ command, from: dir.path });
    assertMatch(server.output(), ORPHAN);
    const res = await fetch(`${server.url}/health`);
    await res.body?.cancel();
    assertEquals(res.status, 200);
  }
});
