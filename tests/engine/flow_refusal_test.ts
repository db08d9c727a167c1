import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO, rohas } from "../../testing/mod.ts";

const PROJECT = join(REPO, "tests", "fixtures", "flow", "project");

Deno.test("rohas start refuses a schema declaring flow controls the engine does not enforce yet, naming each at file:line:col", async () => {
  const run = await rohas(["start"], { cwd: PROJECT, process: true, timeoutMs: 60_000 });
  assert.equal(run.code, 1, run.stderr);
  const located = [...run.stderr.matchAll(/^(schema\/orders\.ro:\d+:\d+): error\[([a-z-]+)\]/gm)]
    .map((m) => `${m[1]} ${m[2]}`);
  // `concurrency` (lines 16 and 27), `batch` (line 26) and `debounce` (lines 22 and 29) are
  // enforced, so they are not among them.
  assert.deepEqual(located.slice(0, 3), [
    "schema/orders.ro:17:11 flow-control-not-enforced",
    "schema/orders.ro:18:15 flow-control-not-enforced",
    "schema/orders.ro:21:15 flow-control-not-enforced",
  ]);
  assert.equal(located.length, 4, run.stderr);
  assert.doesNotMatch(run.stderr, /'concurrency'/);
  assert.doesNotMatch(run.stderr, /'batch'|'debounce'/);
  assert.match(
    run.stderr,
    /Flow control 'delay' of handler 'sync_crm' \(event 'OrderPlaced'\)/,
  );
});
