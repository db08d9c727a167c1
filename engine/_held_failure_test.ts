// An app's debounced and delayed handlers that keep failing end as dead letters of their groups,
// through the assembly's own wiring (createApp), and a replay runs them again.
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { createApp } from "./create_app.ts";
import { loadConfig } from "../project/mod.ts";
import { createMemoryAdapter } from "../adapters/mod.ts";
import {
  createTelemetry,
  type LogEntry,
  type MetricSample,
  type Telemetry,
} from "../telemetry/mod.ts";
import { BUS_METRICS } from "./events/mod.ts";

const SCHEMA = `
input Job {
  n: Int
}

event Shipped {
  payload: Job
  handler: [ship, settle]
  on ship { delay: 100ms }
  on settle { debounce: 100ms }
}
`;

/** Telemetry in memory that also keeps every log entry and metric sample. */
async function recordingTelemetry(root: string) {
  const logs: LogEntry[] = [];
  const metrics: MetricSample[] = [];
  const { config } = await loadConfig(root, { env: {} });
  const inner = await createTelemetry({ ...config.telemetry, type: "memory" }, {
    root,
    otel: false,
  });
  const telemetry: Telemetry = {
    startTrace: (options) => inner.startTrace(options),
    log: (entry) => {
      logs.push(entry);
      inner.log(entry);
    },
    metric: (sample) => {
      metrics.push(sample);
      inner.metric(sample);
    },
    close: () => inner.close(),
  };
  return { telemetry, logs, metrics };
}

async function openApp() {
  const root = await Deno.makeTempDir({ prefix: "rohas-held-" });
  await Deno.mkdir(`${root}/schema`);
  await Deno.writeTextFile(`${root}/schema/app.ro`, SCHEMA);
  const { config } = await loadConfig(root, { env: {} });
  config.adapter.max_attempts = 2;
  const runs: { handler: string; id: string; attempt: number }[] = [];
  let failing = true;
  const handler = (name: string) => (event: { id: string; attempt: number }) => {
    runs.push({ handler: name, id: event.id, attempt: event.attempt });
    if (failing) throw new Error(`The ${name} service is down`);
  };
  const manifest = {
    root: pathToFileURL(`${root}/`).href,
    modules: {
      "src/handlers/events/ship.ts": { ship: handler("ship") },
      "src/handlers/events/settle.ts": { settle: handler("settle") },
    },
  };
  const adapter = createMemoryAdapter();
  const recorded = await recordingTelemetry(root);
  const app = await createApp({
    manifest,
    root,
    config,
    adapter,
    telemetry: recorded.telemetry,
    state: "memory",
    cron: false,
  });
  return Object.assign(app, {
    adapter,
    runs,
    ...recorded,
    recover: () => failing = false,
    async [Symbol.asyncDispose]() {
      await app.close();
      await recorded.telemetry.close();
      await Deno.remove(root, { recursive: true });
    },
  });
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const end = performance.now() + 20_000;
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

Deno.test("an app's delayed and debounced handlers that keep failing become dead letters of their groups, and a replay runs them again", async () => {
  await using app = await openApp();
  await app.engine.publish("Shipped", { n: 1 }, { parentId: null, source: "workbench" });
  await until(async () => (await app.adapter.listDeadLetters("Shipped")).length === 2, "2 letters");
  const letters = await app.adapter.listDeadLetters("Shipped");
  const byGroup = Object.fromEntries(
    letters.map((l) => [l.group, [l.error, l.envelope.metadata.attempt]]),
  );
  const project = app.engine.model().project;
  assert.deepEqual(byGroup, {
    [`${project}.ship`]: ["The ship service is down", 2],
    [`${project}.settle`]: ["The settle service is down", 2],
  });
  const counted = app.metrics.filter((m) => m.name === BUS_METRICS.deadLettered);
  assert.deepEqual(
    counted.map((m) => m.labels.group).toSorted(),
    [`${project}.settle`, `${project}.ship`],
    "rohas_events_dead_lettered_total, once per group",
  );
  const errors = app.logs.filter((e) => e.level === "error" && e.span_name === "dead_letter");
  assert.deepEqual(errors.map((e) => e.message).toSorted(), [
    'Debounced event "Shipped" dead-lettered for "settle" after 2 attempts: The settle service is down',
    'Delayed event "Shipped" dead-lettered for "ship" after 2 attempts: The ship service is down',
  ]);
  app.recover();
  const before = app.runs.length;
  assert.equal(await app.adapter.replayDeadLetters("Shipped"), 2);
  await until(() => app.runs.length === before + 2, "the replayed runs");
  const replayed = app.runs.slice(before).map((r) => [r.handler, r.attempt]).toSorted();
  assert.deepEqual(replayed, [["settle", 1], ["ship", 1]]);
  assert.deepEqual(await app.adapter.listDeadLetters("Shipped"), [], "no dead letter left");
});
