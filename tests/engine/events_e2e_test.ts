// Events under stress on real `rohas start` / `rohas dev` processes: nothing accepted is lost on
// SIGTERM unless the drain time runs out (then the loss is counted exactly).
import assert from "node:assert/strict";
import { fromFileUrl } from "./_helpers.ts";
import { eventually, type ServerProcess, startServer } from "./_server.ts";
import { rohas } from "../../testing/mod.ts";

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

const KEY = "events-test-key";

/** Starts the app with the workbench (and a key, which `start` needs). */
function startWithWorkbench(
  command: "dev" | "start",
  watch = false,
  adapter = "memory",
): Promise<ServerProcess> {
  return startServer({
    command,
    from: app,
    watch,
    args: ["--workbench"],
    prepare: async (dir) => {
      const file = `${dir}/config/rohas.toml`;
      const text = (await Deno.readTextFile(file))
        .replace('[adapter]\ntype = "memory"', `[adapter]\ntype = "${adapter}"`);
      await Deno.writeTextFile(file, `${text}\n[workbench]\napi_key = "${KEY}"\n`);
    },
  });
}

async function workbench(server: ServerProcess, path: string, body?: unknown): Promise<Response> {
  return await fetch(`${server.url}/api/workbench/${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "x-api-key": KEY, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function post(server: ServerProcess, path: string, body: unknown = {}): Promise<Response> {
  return await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** Waits for an error log whose message matches, through the workbench. */
function errorLog(server: ServerProcess, pattern: RegExp) {
  return eventually(async () => {
    const logs = await (await workbench(server, "logs?level=error&limit=200")).json() as {
      message: string;
      fields: Record<string, string>;
    }[];
    return logs.find((entry) => pattern.test(entry.message));
  }, `an error log matching ${pattern}`);
}

for (const command of ["dev", "start"] as const) {
  Deno.test(`rohas ${command}: an API whose trigger payload does not match the event's type fails with 500 and a log naming the event and the field`, async () => {
    await using server = await startWithWorkbench(command);
    // state.triggerEvent refuses at the call (the handler's error); a schema trigger's payload (the
    // handler's result) is refused by the bus when published.
    const manual = await post(server, "/bad/manual");
    const manualBody = await manual.json();
    assert.equal(manual.status, 500, JSON.stringify(manualBody));
    const result = await post(server, "/bad/result");
    const resultBody = await result.json();
    assert.equal(result.status, 500, JSON.stringify(resultBody));
    if (command === "dev") {
      assert.match(
        manualBody.error,
        /Cannot publish "JobQueued" from state\.triggerEvent of handler "BadManual": its payload does not match Job: n: /,
      );
      assert.deepEqual(resultBody.details.map((d: { path: string }) => d.path), ["ms"]);
    }
    await errorLog(
      server,
      /Handler "BadManual" failed \(error\): Cannot publish "JobQueued" from state\.triggerEvent .*: n: /,
    );
    const log = await errorLog(
      server,
      /"JobQueued" from the handler's result of api:BadResult: .*ms: /,
    );
    assert.equal(log.fields.event, "JobQueued");
    assert.match(log.fields.issues!, /"path":"ms"/);
    // Nothing invalid reached the handler.
    assert.equal(await handledJobs(server.dir), 0);
  });

  // On rocksdb a series is one synced write (`Adapter.publishBatch`): the same order and refusals.
  for (const adapter of ["memory", "rocksdb"]) {
    const on = adapter === "memory" ? "" : ` (${adapter}: one write per series)`;
    Deno.test(`rohas ${command}: an API's triggers are published in order and a refused one stops the rest (one round trip from an edge)${on}`, async () => {
      await using server = await startWithWorkbench(command, false, adapter);
      const res = await post(server, "/bad/second");
      assert.equal(res.status, 500, await res.text());
      await eventually(async () => (await counters(server.dir)).get("handled:301"), "job 301");
      // A later request's event, through the same path: the refused series published nothing after
      // its refusal, so nothing was noted.
      const next = await post(server, "/jobs", { n: 303, ms: 0 });
      assert.equal(next.status, 200, await next.text());
      await eventually(async () => (await counters(server.dir)).get("handled:303"), "job 303");
      const seen = await counters(server.dir);
      assert.deepEqual([seen.get("handled:302"), seen.get("noted:302")], [undefined, undefined]);
    });

    Deno.test(`rohas ${command}: a long series of triggers (in parts from an edge) is published whole and in order, and a refusal in its last part stops the rest${on}`, async () => {
      await using server = await startWithWorkbench(command, false, adapter);
      const count = 1_200;
      const res = await post(server, "/series", { count });
      assert.equal(res.status, 500, await res.text());
      const file = `${server.dir}/.rohas/stats/sequence`;
      const lines = await eventually(async () => {
        const text = await Deno.readTextFile(file).catch(() => "");
        const lines = text.split("\n").filter((line) => line !== "");
        return lines.length >= count ? lines : undefined;
      }, `${count} Sequenced events handled`);
      assert.deepEqual(lines, Array.from({ length: count }, (_, i) => String(i)));
      // The refused JobQueued (the result lacks "ms") kept JobNoted, after it, from being published.
      const seen = await counters(server.dir);
      assert.deepEqual([seen.get("handled:401"), seen.get("noted:401")], [undefined, undefined]);
    });
  }

  Deno.test(`rohas ${command}: a handler sees the refusal of its wrong-shaped triggerEvent where it makes the call`, async () => {
    await using server = await startWithWorkbench(command);
    const res = await post(server, "/bad/caught");
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.data.name, "InvalidEventPayloadError");
    assert.match(
      body.data.message,
      /Cannot publish "JobQueued" from state\.triggerEvent of handler "BadCaught": its payload does not match Job: n: /,
    );
  });
}

Deno.test("rohas dev: the workbench trigger answers 422 with every issue of a wrong-shaped payload, and publishes nothing", async () => {
  await using server = await startWithWorkbench("dev");
  const res = await workbench(server, "events/JobQueued/trigger", { payload: { n: "x" } });
  const body = await res.json();
  assert.equal(res.status, 422, JSON.stringify(body));
  assert.match(body.error, /Cannot publish "JobQueued": its payload does not match Job/);
  assert.deepEqual(body.details.map((d: { path: string }) => d.path), ["ms", "n"]);
  const good = await workbench(server, "events/JobQueued/trigger", { payload: { n: 5, ms: 0 } });
  assert.equal(good.status, 200, await good.text());
  await eventually(async () => (await handledJobs(server.dir)) === 1 || undefined, "the good job");
  assert.deepEqual([...await counters(server.dir)].map(([key]) => key), ["handled:5"]);
});

for (const command of ["dev", "start"] as const) {
  Deno.test(`rohas ${command}: an event handler's wrong-shaped triggerEvent is refused and dead-lettered at once with the handler, event and field`, async () => {
    // dev: refused at the call (codegen wrote the validators the Workers use); start (no generated
    // code in this project): refused by the bus once the handler returned. Same refusal.
    await using server = await startWithWorkbench(command);
    const res = await post(server, "/relay", { n: 1, ms: 0 });
    assert.equal(res.status, 200, await res.text());
    const letters = await eventually(async () => {
      const res = await workbench(server, "dead-letters?topic=RelayAsked");
      const letters = await res.json() as { error: string; attempt: number }[];
      return letters.length > 0 ? letters : undefined;
    }, "the dead letter");
    assert.equal(letters[0]!.attempt, 1);
    assert.match(
      letters[0]!.error,
      /Cannot publish "JobQueued" from state\.triggerEvent of handler "relay_badly"( \(event:RelayAsked\))?: its payload does not match Job: ms: /,
    );
    assert.equal(await handledJobs(server.dir), 0);
  });
}

Deno.test("rohas dlq replay refuses dead letters whose payload no longer matches the schema, naming each, and replays nothing", async () => {
  await using server = await startWithWorkbench("dev", true);
  assert.equal((await post(server, "/relay", { n: 1, ms: 0 })).status, 200);
  await eventually(async () => {
    const letters = await (await workbench(server, "dead-letters?topic=RelayAsked")).json();
    return letters.length > 0 || undefined;
  }, "the dead letter");
  // Job gains a required field: the dead letter's payload {n, ms} no longer matches.
  const schema = `${server.dir}/schema/app.ro`;
  const text = await Deno.readTextFile(schema);
  await Deno.writeTextFile(schema, text.replace("  ms Int\n}", "  ms Int\n  tag String\n}"));
  await server.waitFor(/Schema reloaded/);
  const out = await rohas(
    ["dlq", "replay", "RelayAsked", "--all", "--url", server.url, "-C", server.dir],
    { cwd: server.dir, process: true },
  );
  assert.equal(out.code, 1, out.stdout);
  assert.match(
    out.stderr,
    /Cannot replay dead letters of "RelayAsked": the payload of 1 dead letter does not match Job, so nothing was replayed .*tag: /,
  );
  const letters = await (await workbench(server, "dead-letters?topic=RelayAsked")).json();
  assert.equal(letters.length, 1);
});
