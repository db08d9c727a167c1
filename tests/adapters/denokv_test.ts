import assert from "node:assert/strict";
import { join } from "node:path";
import { adapterConformance } from "../../adapters/mod.ts";
import {
  createDenokvAdapter,
  type DenokvAdapter,
  type DenokvAdapterOptions,
} from "../../adapters/denokv/mod.ts";
import { createAdapter } from "../../adapters/mod.ts";
import { CasePaths, collect, envelope, eventually } from "./_embedded.ts";
import { flowConformance } from "../../engine/mod.ts";
import { tempDir } from "../../testing/mod.ts";

const paths = new CasePaths("events.kv");

Deno.test("the denokv adapter conforms to the delivery contract", (t) =>
  adapterConformance(t, {
    create: () => Promise.resolve(paths.create((path) => createDenokvAdapter({ path }))),
    // A local KV file takes one writer: two handles on it fail with "database is locked".
    singleProcess: true,
    // Restarts are proven across processes by the kill -9 crash test (tests/adapters/crash_test.ts).
    restartInProcess: false,
  }));

Deno.test("createAdapter() opens the denokv database at [adapter] path under the project root", async () => {
  await using dir = await tempDir();
  const adapter = await createAdapter({
    type: "denokv",
    buffer_size: 1000,
    max_attempts: 5,
    backoff_ms: 500,
    max_backoff_ms: 60000,
    settings: { type: "denokv", path: "data/events.kv" },
  }, { projectRoot: dir.path });
  await adapter.start();
  await adapter.close();
  assert.equal(adapter.type, "denokv");
  assert.ok((await Deno.stat(join(dir.path, "data/events.kv"))).isFile);
});

Deno.test("denokv adapter keeps dead letters across a restart and replays them after it", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/events.kv`;
  const before = await open({ path });
  const failed = Promise.withResolvers<void>();
  await before.subscribe("Job", "app.job", async (delivery) => {
    await delivery.deadLetter("Boom");
    failed.resolve();
  });
  const sent = envelope("Job", { n: 1 });
  await before.publish(sent);
  await failed.promise;
  await before.close();
  await using after = await open({ path });
  const letters = await after.listDeadLetters();
  assert.deepEqual(letters.map((letter) => [letter.envelope.id, letter.group, letter.error]), [
    [sent.id, "app.job", "Boom"],
  ]);
  const received = collect(after, "Job", "app.job", 1);
  assert.equal(await after.replayDeadLetters("Job"), 1);
  const [replayed] = await received;
  assert.equal(replayed?.envelope.id, sent.id);
  assert.equal(replayed?.envelope.metadata.attempt, 1);
  assert.deepEqual(await after.listDeadLetters("Job"), []);
});

Deno.test("denokv adapter drops a duplicate idempotency key published after a restart", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/events.kv`;
  const before = await open({ path });
  const first = collect(before, "Pay", "app.pay", 1);
  await before.publish(envelope("Pay", { n: 1 }, "order-1"));
  await first;
  await before.close();
  await using after = await open({ path });
  const seen: number[] = [];
  await after.subscribe("Pay", "app.pay", async (delivery) => {
    seen.push((delivery.envelope.payload as { n: number }).n);
    await delivery.ack();
  });
  await after.publish(envelope("Pay", { n: 2 }, "order-1"));
  await after.publish(envelope("Pay", { n: 3 }, "order-2"));
  await after.publish(envelope("Pay", { n: 4 }, "order-3"));
  await eventually(() => Promise.resolve(seen.includes(3) && seen.includes(4)));
  assert.deepEqual(seen.toSorted(), [3, 4], "the duplicate of order-1 was delivered");
});

Deno.test("denokv adapter drops concurrent publishes of one idempotency key but one", async () => {
  await using dir = await tempDir();
  await using adapter = await open({ path: `${dir.path}/events.kv` });
  const seen: unknown[] = [];
  await adapter.subscribe("Pay", "app.pay", async (delivery) => {
    seen.push(delivery.envelope.payload);
    await delivery.ack();
  });
  const publishes = Array.from({ length: 40 }, (_, n) => envelope("Pay", { n }, `key-${n % 4}`));
  await Promise.all(publishes.map((each) => adapter.publish(each)));
  await eventually(() => Promise.resolve(seen.length >= 4));
  await adapter.close();
  assert.deepEqual(seen.map((payload) => (payload as { n: number }).n).sort(), [0, 1, 2, 3]);
});

Deno.test("denokv adapter delivers a reused idempotency key again once its window passed", async () => {
  await using dir = await tempDir();
  // The window's clock is the test's: a slow machine neither lets n = 2 through (the window passed
  // between two publishes) nor drops n = 3 (the window had not passed yet by the wall clock).
  let now = Date.now();
  const path = `${dir.path}/events.kv`;
  await using adapter = await open({ path, idempotencyWindowMs: 60_000, now: () => now });
  const received = collect(adapter, "Pay", "app.pay", 2);
  await adapter.publish(envelope("Pay", { n: 1 }, "k"));
  now += 59_999;
  await adapter.publish(envelope("Pay", { n: 2 }, "k"));
  now += 2;
  await adapter.publish(envelope("Pay", { n: 3 }, "k"));
  const payloads = (await received).map((delivery) => delivery.envelope.payload);
  assert.deepEqual(payloads.map((payload) => (payload as { n: number }).n).sort(), [1, 3]);
});

Deno.test("denokv adapter keeps events of a topic nobody subscribed to as unhandled", async () => {
  await using dir = await tempDir();
  await using adapter = await open({ path: `${dir.path}/events.kv` });
  for (const n of [1, 2]) await adapter.publish(envelope("Orphan", { n }));
  await adapter.publish(envelope("Other", { n: 3 }));
  const orphans = await adapter.listUnhandled("Orphan");
  assert.deepEqual(orphans.map((event) => event.payload), [{ n: 1 }, { n: 2 }]);
  assert.equal((await adapter.listUnhandled()).length, 3);
});

Deno.test("denokv adapter unregisters a transient group once its subscriber closed", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/events.kv`;
  const adapter = await open({ path });
  const ack = (delivery: { ack(): Promise<void> }) => delivery.ack();
  await (await adapter.subscribe("Kept", "app.kept", ack)).close();
  await (await adapter.subscribe("Gone", "app.__sockets.a", ack, { transient: true })).close();
  await adapter.publish(envelope("Kept", { n: 1 }));
  await adapter.publish(envelope("Gone", { n: 2 }));
  // No group of "Gone" is registered any more: its event is unhandled, nothing queued for it.
  assert.deepEqual(await adapter.listUnhandled("Kept"), []);
  assert.deepEqual((await adapter.listUnhandled("Gone")).map((event) => event.payload), [{ n: 2 }]);
  await adapter.close();
  using kv = await Deno.openKv(path);
  assert.deepEqual((await kv.get(["rohas", "groups", "Gone"])).value, []);
});

Deno.test("denokv adapter of a process without subscribers leaves the queue to the engine", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/events.kv`;
  await using engine = await open({ path });
  const received = collect(engine, "Ping", "app.ping", 20);
  const module = new URL("../../adapters/denokv/mod.ts", import.meta.url).href;
  const publisher = `
    import { createDenokvAdapter } from ${JSON.stringify(module)};
    const adapter = createDenokvAdapter({ path: ${JSON.stringify(path)} });
    await adapter.start();
    for (let n = 0; n < 20; n++) {
      await adapter.publish({
        id: crypto.randomUUID(), topic: "Ping", payload: { n }, timestamp: new Date().toISOString(),
        metadata: { trace_id: "t", parent_id: null, source: "workbench", attempt: 1 },
      });
    }
    // Long enough for a listener, had it one, to take messages away from the engine.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await adapter.close();
  `;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--unstable-kv", publisher],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const payloads = (await received).map((delivery) =>
    (delivery.envelope.payload as { n: number }).n
  );
  assert.deepEqual(payloads.sort((a, b) => a - b), Array.from({ length: 20 }, (_, n) => n));
});

Deno.test("denokv adapters of two processes publishing at once through one file both succeed", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/events.kv`;
  await using engine = await open({ path });
  const each = 100;
  const received = collect(engine, "Ping", "app.ping", 2 * each);
  // SQLite answers one of two processes writing the file at once "database is locked".
  const outputs = await Promise.all(["a", "b"].map((name) => publishFrom(path, name, each)));
  for (const output of outputs) {
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  }
  const names = (await received).map((delivery) => (delivery.envelope.payload as { p: string }).p);
  assert.deepEqual([names.filter((p) => p === "a").length, names.filter((p) => p === "b").length], [
    each,
    each,
  ]);
});

// ---------------------------------------------------------------------------------------------

type Open = DenokvAdapter & AsyncDisposable;

async function open(options: DenokvAdapterOptions): Promise<Open> {
  const adapter = createDenokvAdapter(options);
  await adapter.start();
  return Object.assign(adapter, { [Symbol.asyncDispose]: () => adapter.close() });
}

/** Publishes `count` events to "Ping" from a process of its own, one at a time. */
function publishFrom(path: string, name: string, count: number): Promise<Deno.CommandOutput> {
  const module = new URL("../../adapters/denokv/mod.ts", import.meta.url).href;
  const publisher = `
    import { createDenokvAdapter } from ${JSON.stringify(module)};
    const adapter = createDenokvAdapter({ path: ${JSON.stringify(path)} });
    await adapter.start();
    for (let n = 0; n < ${count}; n++) {
      await adapter.publish({
        id: crypto.randomUUID(), topic: "Ping", payload: { p: ${JSON.stringify(name)} },
        timestamp: new Date().toISOString(),
        metadata: { trace_id: "t", parent_id: null, source: "workbench", attempt: 1 },
      });
    }
    await adapter.close();
  `;
  return new Deno.Command(Deno.execPath(), {
    args: ["eval", "--unstable-kv", publisher],
    stdout: "piped",
    stderr: "piped",
  }).output();
}

const flowPaths = new CasePaths("events.kv");

Deno.test("the engine's flow controls hold on the denokv adapter", (t) =>
  flowConformance(t, {
    create: () => Promise.resolve(flowPaths.create((path) => createDenokvAdapter({ path }))),
    singleProcess: true,
  }));
