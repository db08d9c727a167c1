/**
 * docs/design.md#reliability-targets for the network brokers, registered by each broker's test file
 * (so that it never runs while the same file restarts that broker): an engine process publishes
 * 10,000 events and consumes them; it is killed with SIGKILL when about half are handled; a
 * restarted engine on the same broker resumes. Every event whose publish the broker confirmed must
 * be handled (losses must be zero); duplicates are counted and reported. The brokers come from
 * scripts/brokers/start.sh.
 */

import assert from "node:assert/strict";

const COUNT = 10_000;
const CHILD = new URL("./_broker_crash_child.ts", import.meta.url).pathname;
/** How long a run may go without a new handled event before the test fails. */
const STALL_MS = 30_000;
/** How long a run may take at most, progressing or not. */
const MAX_WAIT_MS = 240_000;

/** Registers the crash test of one broker adapter. */
export function brokerCrashTest(type: "nats" | "rabbitmq" | "kafka" | "sqs"): void {
  Deno.test(`${type} adapter loses no confirmed event when the engine is killed with SIGKILL mid-stream`, async () => {
    const dir = await Deno.makeTempDir({ prefix: `rohas_broker_crash_${type}_` });
    const namespace = `crash${crypto.randomUUID().slice(0, 8)}`;
    const files = { handled: `${dir}/handled.txt`, published: `${dir}/published.txt` };
    try {
      const started = performance.now();
      await runUntil([type, "publish", namespace], files, (ids) => ids.length >= COUNT / 2, "half");
      const before = (await lines(files.handled)).length;
      const published = new Set(await lines(files.published));
      await runUntil([type, "consume", namespace], files, (ids) => {
        const seen = new Set(ids);
        return [...published].every((id) => seen.has(id));
      }, "every confirmed event");
      const ids = await lines(files.handled);
      const unique = new Set(ids);
      const lost = [...published].filter((id) => !unique.has(id));
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      // deno-lint-ignore no-console -- the duplicate count is part of the test's report
      console.log(
        `${type}: ${published.size} confirmed, killed after ${before} handled; ` +
          `${unique.size} distinct handled, ${ids.length - unique.size} duplicates, ` +
          `${lost.length} lost (${seconds} s)`,
      );
      assert.deepEqual(lost, [], "confirmed events lost");
      assert.ok(published.size >= COUNT / 2, "at least half of the events were confirmed");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

/** Runs a child until `done` holds for the handled ids, then kills it with SIGKILL. */
async function runUntil(
  args: string[],
  files: { handled: string; published: string },
  done: (ids: string[]) => boolean,
  what: string,
): Promise<void> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CHILD, ...args, files.handled, files.published, String(COUNT)],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  try {
    // A stall fails the test, a slow machine does not: it waits while events keep being handled.
    const end = performance.now() + MAX_WAIT_MS;
    let progressed = performance.now();
    let count = -1;
    let exited = false;
    child.status.then(() => exited = true);
    for (let ids = await lines(files.handled); !done(ids); ids = await lines(files.handled)) {
      if (exited) throw new Error(`The child exited before ${what}: ${await stderr}`);
      const now = performance.now();
      if (ids.length > count) [count, progressed] = [ids.length, now];
      if (now - progressed > STALL_MS || now > end) {
        throw new Error(
          `Timed out waiting for ${what}: ${count} handled, the last ${
            Math.round(now - progressed)
          } ms ago`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await child.status;
    await stderr;
  }
}

async function lines(path: string): Promise<string[]> {
  try {
    return (await Deno.readTextFile(path)).split("\n").filter((line) => line !== "");
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}
