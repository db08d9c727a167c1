import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO, rohas } from "../../testing/mod.ts";

const PROJECT = join(REPO, "tests", "fixtures", "flow", "project");

Deno.test("rohas start refuses a schema declaring flow controls the engine does not enforce yet, naming each at file:line:col", async () => {
  const run = await rohas(["start"], { cwd: PROJECT, process: true, timeoutMs: 60_000 });
  assert.equal(run.code, 1, run.stderr);
  const located = [...run.stderr.matchAll(/^(schema\/orders\.ro:\d+:\d+): error\[([a-z-]+)\]/gm)]
    .map((m) => `${m[1]} ${m[2]}`);
  // Enforced, so not among them: `concurrency` (lines 16 and 27), `rate` (17), `throttle` (21),
  // `debounce` (22 and 30), `delay` (23), `batch` (26).
  assert.deepEqual(located, ["schema/orders.ro:18:15 flow-control-not-enforced"], run.stderr);
  assert.doesNotMatch(run.stderr, /'(concurrency|rate|throttle|debounce|delay|batch)'/);
  // A per-handler priority would order nothing: the message says why rather than "not yet".
  assert.match(
    run.stderr,
    /Flow control 'priority' of handler 'send_receipt' \(event 'OrderPlaced'\) is declared but this engine does not enforce it: every event of a handler has the handler's one priority/,
  );
});
