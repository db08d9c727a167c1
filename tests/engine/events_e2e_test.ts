// Events under stress on real `rohas start` / `rohas dev` processes: nothing accepted is lost on
// SIGTERM unless the drain time runs out (then the loss is counted exactly).
import assert from "node:assert/strict";
import { fromFileUrl } from "./_helpers.ts";
import { eventually, type ServerProcess, startServer } from "./_server.ts";

const app = fromFileUrl(new URL("./testdata/events_app", import.meta.url));

/** Starts the events app with `[section] key = value` overrides. */
function startApp(
  command: "dev" | "start",
  settings: Record<string, string | number> = {},
  args: string[] = [],
): Promise<ServerProcess> {
  return startServer({
    command,
    from: app,
    args,
    prepare: async (dir) => {
      const file = `${dir}/config/rohas.toml`;
      let text = await Deno.readTextFile(file);
      for (const [key, value] of Object.entries(settings)) {
        text = text.replace(new RegExp(`^${key} = .*$`, "m"), `${key} = ${value}`);
      }
      await Deno.writeTextFile(file, text);
    },
  });
}

/** The counters the app's handlers wrote (one byte per bump), read from disk. */
async function counters(dir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  try {
    for await (const entry of Deno.readDir(`${dir}/.rohas/stats`)) {
      const size = (await Deno.stat(`${dir}/.rohas/stats/${entry.name}`)).size;
      out.set(decodeURIComponent(entry.name), size);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return out;
}

async function handledJobs(dir: string): Promise<number> {
  let handled = 0;
  for (const [key, count] of await counters(dir)) if (key.startsWith("handled:")) handled += count;
  return handled;
}

/** Posts `n` jobs of `ms` each; every one must be accepted with 200. */
async function enqueue(server: ServerProcess, n: number, ms: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${server.url}/jobs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ n: i, ms }),
    });
    assert.equal(res.status, 200, await res.text());
  }
}

function undrainedOf(output: string): number {
  const found = output.match(/Warning: (\d+) accepted events? (?:was|were) not handled/);
  return found ? Number(found[1]) : 0;
}

for (const command of ["start", "dev"] as const) {
  Deno.test(`rohas ${command}: SIGTERM handles every accepted event when shutdown_timeout_ms suffices`, async () => {
    await using server = await startApp(command, { shutdown_timeout_ms: 20_000 });
    const accepted = 40;
    await enqueue(server, accepted, 50);
    // At concurrency 1 the queue needs about 2 s: most events are still queued now.
    assert.ok(await handledJobs(server.dir) < accepted, "the queue drained before SIGTERM");
    const status = await server.stop("SIGTERM");
    assert.equal(status.code, 0);
    assert.equal(await handledJobs(server.dir), accepted);
    assert.equal(undrainedOf(server.output()), 0, server.output());
  });
}

Deno.test("rohas start: SIGTERM with too little drain time logs exactly how many events were lost", async () => {
  await using server = await startApp("start", { shutdown_timeout_ms: 700 });
  const accepted = 30;
  await enqueue(server, accepted, 100);
  const status = await server.stop("SIGTERM");
  assert.equal(status.code, 0);
  const handled = await handledJobs(server.dir);
  const lost = undrainedOf(server.output());
  assert.ok(handled > 0 && lost > 0, `handled ${handled}, lost ${lost}:\n${server.output()}`);
  assert.equal(handled + lost, accepted);
});

for (const command of ["dev", "start"] as const) {
  Deno.test(`rohas ${command}: a handler calling Deno.exit() fails its request at once with 500; its Worker is replaced; shutdown stays fast`, async () => {
    // Under start, a profile of its own puts Exit in the main process's Workers (not an edge).
    await using server = await startServer({
      command,
      from: app,
      prepare: async (dir) => {
        const file = `${dir}/config/rohas.toml`;
        const text = (await Deno.readTextFile(file))
          .replace("handler_timeout_ms = 1000", "handler_timeout_ms = 8000");
        await Deno.writeTextFile(file, `${text}\n[permissions.handlers.Exit]\nread = ["src"]\n`);
      },
    });
    const started = performance.now();
    const res = await fetch(`${server.url}/exit`);
    const body = await res.text();
    assert.equal(res.status, 500, body);
    assert.ok(performance.now() - started < 4000, "the request waited for the handler timeout");
    if (command === "dev") assert.match(body, /while running handler \\"Exit\\"/);
    await server.waitFor(/Worker of profile "Exit" restarted: .*while running handler "Exit"/);
    // The replacement serves the profile.
    const again = await fetch(`${server.url}/exit`);
    assert.equal(again.status, 500, await again.text());
    const count = await fetch(`${server.url}/count`);
    assert.equal(count.status, 200, await count.text());
    const stopping = performance.now();
    const status = await server.stop("SIGTERM");
    assert.equal(status.code, 0);
    assert.ok(
      performance.now() - stopping < 4000,
      `shutdown took ${performance.now() - stopping} ms`,
    );
  });
}

Deno.test("rohas start: Deno.exit() in a handler served by an edge fails its request with 500, and the edge keeps serving", async () => {
  await using server = await startApp("start");
  for (let i = 0; i < 4; i++) {
    const res = await fetch(`${server.url}/exit`);
    assert.equal(res.status, 500, await res.text());
  }
  const count = await fetch(`${server.url}/count`);
  assert.equal(count.status, 200, await count.text());
  assert.doesNotMatch(server.output(), /restarted: it exited/);
});

Deno.test("rohas dev: an event handler that times out is stopped before its retry: its late side effects never happen", async () => {
  await using server = await startApp("dev", {}, ["--workbench"]);
  // Each attempt sleeps 2.5 s past the 1 s handler timeout, then writes its side effect.
  const res = await fetch(`${server.url}/stuck`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ n: 1, ms: 2500 }),
  });
  assert.equal(res.status, 200, await res.text());
  const letters = await eventually(
    async () => {
      const res = await fetch(`${server.url}/api/workbench/dead-letters?topic=JobStuck`);
      const letters = await res.json() as { error: string; attempt: number }[];
      return letters.length > 0 ? letters : undefined;
    },
    "the dead letter",
    15_000,
  );
  // The last attempt started at most 1 s before it was dead-lettered: had it kept running, its
  // side effect would be written within 2.5 s of its start.
  await new Promise((resolve) => setTimeout(resolve, 2500));
  const seen = await counters(server.dir);
  assert.deepEqual(
    [...seen].filter(([key]) => key.startsWith("stuck:")).sort(),
    [["stuck:started:1", 1], ["stuck:started:2", 1], ["stuck:started:3", 1]],
  );
  assert.equal(letters[0]!.attempt, 3);
  assert.match(letters[0]!.error, /timed out after 1000 ms; it was stopped/);
});
