// `ordered: false` in an `on handler { … }` block: the handler's deliveries run concurrently (and
// travel to the Workers several per message), while each event keeps its own trace, retries and
// dead letter; a handler without it still runs one event at a time, in publish order.
import assert from "node:assert/strict";
import { createMemoryAdapter } from "../adapters/memory/mod.ts";
import { createRocksdbAdapter } from "../adapters/rocksdb/mod.ts";
import { EventBus } from "./events/mod.ts";
import { createInProcessRuntime, createWorkerRuntime, type HandlerRuntime } from "./runtime/mod.ts";
import { type AppModel, singleHandlerModel, type SubscriptionControls } from "./app_model.ts";
import type { EngineParts } from "./parts.ts";
import {
  type Closable,
  DeliveryCounter,
  subscribeEvents,
  UNORDERED_PARALLELISM,
} from "./event_wiring.ts";
import { parseConfig } from "../project/mod.ts";
import { createTelemetry, type RecordingTelemetry } from "../telemetry/mod.ts";
import { tempDir } from "../testing/mod.ts";

const CONFIG = parseConfig("", { file: "rohas.toml", projectName: "shop" });

function modelWith(root: string, controls: SubscriptionControls | undefined): AppModel {
  return singleHandlerModel({
    project: "shop",
    root,
    event: "Job",
    exportName: "handleWork",
    controls,
  });
}

interface Engine {
  bus: EventBus;
  telemetry: RecordingTelemetry;
  counter: DeliveryCounter;
  /** Subscribes the model again (the first subscriptions are `subs`). */
  subscribe(): Promise<Closable[]>;
  subs: Closable[];
}

/** The adapters that hand a group's events out in order, so that ordered handlers are pipelined. */
const IN_ORDER = ["memory", "rocksdb"] as const;

/**
 * Subscribes the model's handler over a memory adapter (or a rocksdb one under the model's root);
 * runs `body`, then closes everything.
 */
async function withEngine(
  model: AppModel,
  runtime: HandlerRuntime,
  body: (engine: Engine) => Promise<void>,
  adapter: typeof IN_ORDER[number] = "memory",
): Promise<void> {
  const broker = adapter === "memory"
    ? createMemoryAdapter()
    : createRocksdbAdapter({ path: `${model.root}/.rohas/events` });
  const bus = new EventBus(broker, { retry: { maxAttempts: 3, backoffMs: 5 } });
  await bus.start();
  const telemetry = await createTelemetry(
    parseConfig('[telemetry]\ntype = "memory"\n', { file: "rohas.toml" }).telemetry,
    { root: model.root, otel: false },
  );
  const parts: EngineParts = {
    runtime,
    publisher: { publish: (topic, payload, o) => bus.publish(topic, payload, o) },
    telemetry,
    validators: new Map(),
    config: CONFIG,
    mode: "dev",
  };
  const counter = new DeliveryCounter();
  const subscribe = () => subscribeEvents(model, parts, bus, { counter, maxAttempts: 3 });
  const subs = await subscribe();
  try {
    await body({ bus, telemetry, counter, subscribe, subs });
  } finally {
    for (const sub of subs) await sub.close();
    await bus.close();
    await runtime.close();
    await telemetry.close();
  }
}

/** Publishes `count` events `{ n }` in one turn (so they queue together) and waits for all. */
async function publishAll(engine: Engine, count: number): Promise<string[]> {
  engine.counter.expect(count);
  const options = { parentId: null, source: "workbench" };
  const sent = await Promise.all(
    Array.from({ length: count }, (_, n) => engine.bus.publish("Job", { n }, options)),
  );
  await engine.counter.idle();
  return sent.map((envelope) => envelope.metadata.trace_id);
}

/** An in-process handler that notes the order runs start in and the most running at once. */
function recordingRuntime(root: string) {
  const seen = { order: [] as number[], running: 0, most: 0 };
  const handleWork = async (event: { payload: { n: number } }) => {
    seen.order.push(event.payload.n);
    seen.most = Math.max(seen.most, ++seen.running);
    // Simulated work, long enough that runs would overlap when they may.
    await new Promise((resolve) => setTimeout(resolve, 2));
    seen.running--;
    return null;
  };
  const modules = { "src/handlers/events/work.ts": { handleWork } };
  return {
    seen,
    runtime: createInProcessRuntime({ manifest: { root: `file://${root}/`, modules } }),
  };
}

Deno.test("an ordered: false handler runs its deliveries concurrently", async () => {
  const root = "/rohas-order-test";
  const { seen, runtime } = recordingRuntime(root);
  // More events than may run at once, so the limit is reached and held.
  const count = UNORDERED_PARALLELISM + 50;
  await withEngine(modelWith(root, { ordered: false }), runtime, async (engine) => {
    await publishAll(engine, count);
  });
  assert.equal(seen.order.length, count);
  assert.equal(seen.most, UNORDERED_PARALLELISM, "runs in flight at once");
});

Deno.test("a handler without ordered: false runs one event at a time, in publish order", async () => {
  const root = "/rohas-order-test";
  for (const controls of [undefined, { ordered: true }]) {
    const { seen, runtime } = recordingRuntime(root);
    await withEngine(modelWith(root, controls), runtime, async (engine) => {
      await publishAll(engine, 40);
    });
    assert.equal(seen.most, 1, "runs in flight at once");
    assert.deepEqual(seen.order, Array.from({ length: 40 }, (_, n) => n));
  }
});

/** A Worker handler: every 5th event fails once, every 7th is refused for good, every 11th always fails. */
const WORK = `export function handleWork(event: { payload: { n: number }; attempt: number }) {
  const n = event.payload.n;
  if (n % 11 === 0) throw new Error("always " + n);
  if (n % 7 === 0) {
    const error = new Error("refused " + n);
    error.name = "NonRetriableError";
    throw error;
  }
  if (n % 5 === 0 && event.attempt === 1) throw new Error("once " + n);
}
`;

/** The delivery attempt a trace recorded. */
function attemptOf(trace: { metadata?: Record<string, string> }): number {
  return Number(trace.metadata?.attempt ?? 0);
}

const ORDERINGS = [["ordered: false", { ordered: false }], ["ordered", undefined]] as const;

// Over rocksdb too, whose dead letters are written to disk: each is listed as soon as the counter
// says its delivery was handled (`Engine.idle()`), not once the write caught up.
for (const adapter of IN_ORDER) {
  for (const [label, controls] of ORDERINGS) {
    Deno.test(`deliveries batched to the Workers keep each event's trace, retries and dead letter (${label}, ${adapter})`, async () => {
      await using dir = await tempDir({ files: { "src/handlers/events/work.ts": WORK } });
      const runtime = createWorkerRuntime({ root: dir.path, permissions: CONFIG.permissions });
      await withEngine(modelWith(dir.path, controls), runtime, async (engine) => {
        const count = 200;
        const ids = await publishAll(engine, count);
        const traces = await engine.telemetry.traces({ limit: 1000 });
        // Each attempt records a trace of the same id: the last attempt's is the one to check.
        const byId = new Map<string, typeof traces[number]>();
        for (const trace of traces) {
          const kept = byId.get(trace.id);
          if (kept === undefined || attemptOf(kept) < attemptOf(trace)) byId.set(trace.id, trace);
        }
        const letters = await engine.bus.listDeadLetters("Job");
        const dead = new Map(letters.map((l) => [(l.envelope.payload as { n: number }).n, l]));
        for (const [n, id] of ids.entries()) {
          const trace = byId.get(id);
          const [status, attempt, letter] = n % 11 === 0
            ? ["failed", "3", "always"]
            : n % 7 === 0
            ? ["failed", "1", "refused"]
            : n % 5 === 0
            ? ["success", "2", undefined]
            : ["success", "1", undefined];
          assert.equal(trace?.status, status, `event ${n}: trace status`);
          assert.equal(trace?.metadata?.attempt, attempt, `event ${n}: attempts`);
          assert.equal(dead.get(n)?.error, letter && `${letter} ${n}`, `event ${n}: dead letter`);
        }
      }, adapter);
    });
  }
}

/**
 * The handler of `source(log)` in Workers, allowed to write `runs.log` in the project: where it
 * notes its runs.
 */
async function loggingHandler(
  dir: { path: string; write(file: string, text: string): Promise<unknown> },
  source: (log: string) => string,
): Promise<{ log: string; runtime: HandlerRuntime }> {
  const log = `${dir.path}/runs.log`;
  await dir.write("src/handlers/events/work.ts", source(log));
  const defaults = { ...CONFIG.permissions.defaults, write: [log] };
  const runtime = createWorkerRuntime({ root: dir.path, permissions: { defaults, handlers: {} } });
  return { log, runtime };
}

/** Notes each run's event and how many ran at once, and awaits inside so overlapping runs show. */
const NOTE = (log: string) =>
  `let running = 0;
export async function handleWork(event: { payload: { n: number } }) {
  running++;
  Deno.writeTextFileSync(${
    JSON.stringify(log)
  }, event.payload.n + " " + running + "\\n", { append: true });
  await new Promise((resolve) => setTimeout(resolve, 0));
  running--;
}
`;

for (const adapter of IN_ORDER) {
  Deno.test(`an ordered handler in Workers, its deliveries sent several at a time, runs them one after another in publish order (${adapter})`, async () => {
    await using dir = await tempDir();
    const { log, runtime } = await loggingHandler(dir, NOTE);
    await withEngine(modelWith(dir.path, undefined), runtime, async (engine) => {
      await publishAll(engine, 300);
    }, adapter);
    const runs = (await Deno.readTextFile(log)).trim().split("\n").map((line) => line.split(" "));
    assert.deepEqual(runs.map(([n]) => Number(n)), Array.from({ length: 300 }, (_, n) => n));
    assert.deepEqual(new Set(runs.map(([, running]) => running)), new Set(["1"]), "one at a time");
  });
}

/** Notes each run's event and attempt as it starts, then takes 50 ms. */
const SLOW_NOTE = (log: string) =>
  `export async function handleWork(event: { payload: { n: number }; attempt: number }) {
  Deno.writeTextFileSync(${
    JSON.stringify(log)
  }, event.payload.n + " " + event.attempt + "\\n", { append: true });
  await new Promise((resolve) => setTimeout(resolve, 50));
}
`;

async function lines(file: string): Promise<string[]> {
  try {
    return (await Deno.readTextFile(file)).trim().split("\n").filter((line) => line !== "");
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

for (const adapter of IN_ORDER) {
  Deno.test(`closing an ordered handler's subscription hands its pipelined deliveries that had not started back, unrun, their attempt unchanged (${adapter})`, async () => {
    await using dir = await tempDir();
    const { log, runtime } = await loggingHandler(dir, SLOW_NOTE);
    await withEngine(modelWith(dir.path, undefined), runtime, async (engine) => {
      engine.counter.expect(10);
      const options = { parentId: null, source: "workbench" };
      for (let n = 0; n < 10; n++) await engine.bus.publish("Job", { n }, options);
      while ((await lines(log)).length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      for (const sub of engine.subs.splice(0)) await sub.close();
      const ran = (await lines(log)).length;
      assert.ok(ran < 10, `${ran} of 10 ran before the close`);
      // The memory adapter counts what it holds; rocksdb holds it in its log (no drain).
      const held = adapter === "memory" ? 10 - ran : 0;
      assert.equal(await engine.bus.drain(0), held, "the others are queued again");
      engine.subs.push(...await engine.subscribe());
      await engine.counter.idle();
      const runs = await lines(log);
      assert.deepEqual(runs, Array.from({ length: 10 }, (_, n) => `${n} 1`));
      const logs = await engine.telemetry.logs({ limit: 1000 });
      assert.deepEqual(
        logs.filter((entry) => entry.level === "error"),
        [],
        "no failure was logged",
      );
    }, adapter);
  });
}
