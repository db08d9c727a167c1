/**
 * DESIGN.md section 7: kill -9 the engine while 10,000 events are in flight on each durable embedded
 * adapter, restart it on the same storage, and check that every event is handled (duplicates
 * counted and reported, losses must be zero).
 */

import assert from "node:assert/strict";

const COUNT = 10_000;
const CHILD = new URL("./_crash_child.ts", import.meta.url).pathname;
/** A child that handled nothing new for this long is taken as done: what is missing was lost. */
const STALL_MS = 8000;

for (const type of ["rocksdb", "denokv"] as const) {
  Deno.test(`${type} adapter loses no event when the engine is killed with SIGKILL mid-stream`, async () => {
    const dir = await Deno.makeTempDir({ prefix: `rohas_crash_${type}_` });
    const store = `${dir}/${type === "rocksdb" ? "events" : "events.kv"}`;
    const handled = `${dir}/handled.txt`;
    try {
      const half = (ids: string[]) => ids.length >= COUNT / 2;
      assert.ok(
        await runUntil(type, store, handled, half, "half"),
        "the child stalled before half",
      );
      const before = (await readHandled(handled)).length;
      assert.ok(before < COUNT, "the engine was killed only after it had handled every event");
      const all = (ids: string[]) => new Set(ids).size >= COUNT;
      await runUntil(type, store, handled, all, "every event");
      const ids = await readHandled(handled);
      const unique = new Set(ids);
      const expected = Array.from({ length: COUNT }, (_, n) => `event-${n}`);
      const lost = expected.filter((id) => !unique.has(id));
      const strangers = [...unique].filter((id) => !/^event-\d+$/.test(id));
      // deno-lint-ignore no-console -- the duplicate count is part of the test's report
      console.log(
        `${type}: killed after ${before} handled; ${unique.size} distinct handled, ` +
          `${ids.length - unique.size} duplicates, ${lost.length} lost`,
      );
      assert.deepEqual(lost.slice(0, 20), [], `${lost.length} events lost, the first 20 shown`);
      assert.deepEqual(strangers, [], "ids never published");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

/**
 * Runs a child until `done` holds for the handled ids, then kills it with SIGKILL. Returns false
 * when the child stopped making progress first (no new handled event for `STALL_MS`).
 */
async function runUntil(
  type: string,
  store: string,
  handled: string,
  done: (ids: string[]) => boolean,
  what: string,
): Promise<boolean> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CHILD, type, store, handled, String(COUNT)],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  let exited = false;
  child.status.then(() => exited = true);
  try {
    let seen = -1;
    let progressAt = performance.now();
    for (let ids = await readHandled(handled); !done(ids); ids = await readHandled(handled)) {
      if (exited) throw new Error(`The child exited before ${what}: ${await stderr}`);
      if (ids.length !== seen) [seen, progressAt] = [ids.length, performance.now()];
      if (performance.now() - progressAt > STALL_MS) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return true;
  } finally {
    if (!exited) child.kill("SIGKILL");
    await child.status;
    await stderr;
  }
}

async function readHandled(path: string): Promise<string[]> {
  try {
    return (await Deno.readTextFile(path)).split("\n").filter((line) => line !== "");
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}
