/**
 * docs/design.md#reliability-targets: kill -9 the engine while 10,000 events are in flight on each
 * durable embedded adapter, restart it on the same storage, and check that every event is handled
 * (duplicates counted and reported, losses must be zero).
 */

import assert from "node:assert/strict";

const COUNT = 10_000;
const CHILD = new URL("./_crash_child.ts", import.meta.url).pathname;
/** A child that handled nothing new for this long is taken as done: what is missing was lost. */
const STALL_MS = 20_000;
/** Longest wait for each run of the child. */
const DEADLINE_MS = 120_000;

for (const type of ["rocksdb", "denokv"] as const) {
  Deno.test(`${type} adapter loses no event when the engine is killed with SIGKILL mid-stream`, async () => {
    const dir = await Deno.makeTempDir({ prefix: `rohas_crash_${type}_` });
    const store = `${dir}/${type === "rocksdb" ? "events" : "events.kv"}`;
    const handled = `${dir}/handled.txt`;
    try {
      await runUntilHalf(type, store, handled);
      const before = (await readHandled(handled)).length;
      assert.ok(before < COUNT, "the engine was killed only after it had handled every event");
      await runUntilAll(type, store, handled);
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

/** Runs a child until it reports that it handled half of the events, then kills it with SIGKILL. */
async function runUntilHalf(type: string, store: string, handled: string): Promise<void> {
  await using child = spawn(type, store, handled);
  const lines = child.process.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const end = performance.now() + DEADLINE_MS;
  let text = "";
  while (!text.split("\n").includes("half")) {
    const { value, done } = await lines.read();
    if (done) throw new Error(`The child exited before half of the events: ${await child.stderr}`);
    if (performance.now() > end) throw new Error("Timed out waiting for half of the events");
    text += value;
  }
  child.process.kill("SIGKILL");
  await lines.cancel();
}

/**
 * Runs a child until every event is handled, then kills it with SIGKILL. Returns when the child
 * stopped making progress first (no new handled event for `STALL_MS`): the test then reports what
 * is missing.
 */
async function runUntilAll(type: string, store: string, handled: string): Promise<void> {
  await using child = spawn(type, store, handled);
  const end = performance.now() + DEADLINE_MS;
  let seen = -1;
  let progressAt = performance.now();
  for (
    let ids = await readHandled(handled);
    new Set(ids).size < COUNT;
    ids = await readHandled(handled)
  ) {
    if (child.exited) throw new Error(`The child exited: ${await child.stderr}`);
    if (ids.length !== seen) [seen, progressAt] = [ids.length, performance.now()];
    if (performance.now() - progressAt > STALL_MS || performance.now() > end) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Child extends AsyncDisposable {
  readonly process: Deno.ChildProcess;
  readonly stderr: Promise<string>;
  readonly exited: boolean;
}

/** Starts the engine side; disposing kills it with SIGKILL (if still running) and waits for it. */
function spawn(type: string, store: string, handled: string): Child {
  const process = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CHILD, type, store, handled, String(COUNT)],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let exited = false;
  const status = process.status.finally(() => exited = true);
  const stderr = new Response(process.stderr).text();
  return {
    process,
    stderr,
    get exited() {
      return exited;
    },
    async [Symbol.asyncDispose]() {
      if (!exited) process.kill("SIGKILL");
      await status;
      await stderr;
      await process.stdout.cancel().catch(() => {});
    },
  };
}

async function readHandled(path: string): Promise<string[]> {
  try {
    return (await Deno.readTextFile(path)).split("\n").filter((line) => line !== "");
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}
