import assert from "node:assert/strict";
import { join } from "node:path";
import rocksdb from "rocksdb";
import { adapterConformance } from "../../adapters/mod.ts";
import { ManualClock } from "../../adapters/memory/mod.ts";
import { createAdapter } from "../../adapters/mod.ts";
import {
  createRocksdbAdapter,
  type RocksdbAdapter,
  type RocksdbAdapterOptions,
} from "../../adapters/rocksdb/mod.ts";
import { BrokerUnreachableError } from "../../adapters/mod.ts";
import { CasePaths, collect, envelope, eventually } from "./_embedded.ts";
import { flowConformance } from "../../engine/mod.ts";
import { tempDir } from "../../testing/mod.ts";

const paths = new CasePaths("");

Deno.test("the rocksdb adapter conforms to the delivery contract", (t) =>
  adapterConformance(t, {
    create: () => Promise.resolve(paths.create((path) => createRocksdbAdapter({ path }))),
    singleProcess: true,
  }));

Deno.test("rocksdb adapter refuses a second engine on the same path with a clear error", async () => {
  await using dir = await tempDir();
  await using first = await open({ path: dir.path });
  const second = createRocksdbAdapter({ path: dir.path });
  const error = await second.start().then(() => undefined, (error: unknown) => error);
  await second.close();
  assert.ok(error instanceof BrokerUnreachableError, `expected BrokerUnreachableError: ${error}`);
  assert.match(error.message, /another Rohas engine has this database open/);
  assert.ok(error.message.includes(`"${dir.path}"`), "the message names the path");
  assert.equal(first.type, "rocksdb");
});

Deno.test("createAdapter() opens the rocksdb database at [adapter] path under the project root", async () => {
  await using dir = await tempDir();
  const adapter = await createAdapter({
    type: "rocksdb",
    buffer_size: 1000,
    max_attempts: 5,
    backoff_ms: 500,
    max_backoff_ms: 60000,
    settings: { type: "rocksdb", path: "data/events" },
  }, { projectRoot: dir.path });
  await adapter.start();
  await adapter.close();
  assert.equal(adapter.type, "rocksdb");
  assert.ok((await Deno.stat(join(dir.path, "data/events/CURRENT"))).isFile);
});

Deno.test("rocksdb adapter keeps a scheduled retry across a restart and delivers it when due", async () => {
  await using dir = await tempDir();
  const before = await open({ path: dir.path });
  const retried = Promise.withResolvers<void>();
  await before.subscribe("Job", "app.job", async (delivery) => {
    await delivery.retry(300, "Later");
    retried.resolve();
  });
  const sent = envelope("Job", { n: 1 });
  const publishedAt = performance.now();
  await before.publish(sent);
  await retried.promise;
  await before.close();
  await using after = await open({ path: dir.path });
  const [again] = await collect(after, "Job", "app.job", 1);
  assert.equal(again?.envelope.id, sent.id);
  assert.equal(again?.envelope.metadata.attempt, 2);
  assert.ok(performance.now() - publishedAt >= 250, "delivered before its retry was due");
});

Deno.test("rocksdb adapter keeps dead letters across a restart and replays them after it", async () => {
  await using dir = await tempDir();
  const before = await open({ path: dir.path });
  const failed = Promise.withResolvers<void>();
  await before.subscribe("Job", "app.job", async (delivery) => {
    await delivery.deadLetter("Boom");
    failed.resolve();
  });
  const sent = envelope("Job", { n: 1 });
  await before.publish(sent);
  await failed.promise;
  await before.close();
  await using after = await open({ path: dir.path });
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

Deno.test("rocksdb adapter drops a duplicate idempotency key published after a restart", async () => {
  await using dir = await tempDir();
  const before = await open({ path: dir.path });
  const first = collect(before, "Pay", "app.pay", 1);
  await before.publish(envelope("Pay", { n: 1 }, "order-1"));
  await first;
  await before.close();
  await using after = await open({ path: dir.path });
  const received = collect(after, "Pay", "app.pay", 1);
  await after.publish(envelope("Pay", { n: 2 }, "order-1"));
  await after.publish(envelope("Pay", { n: 3 }, "order-2"));
  const [only] = await received;
  assert.deepEqual(only?.envelope.payload, { n: 3 });
});

Deno.test("rocksdb adapter delivers a reused idempotency key again once its window passed", async () => {
  await using dir = await tempDir();
  const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
  await using adapter = await open({ path: dir.path, clock, idempotencyWindowMs: 1000 });
  const received = collect(adapter, "Pay", "app.pay", 2);
  await adapter.publish(envelope("Pay", { n: 1 }, "k"));
  await adapter.publish(envelope("Pay", { n: 2 }, "k"));
  clock.advance(1000);
  await adapter.publish(envelope("Pay", { n: 3 }, "k"));
  assert.deepEqual((await received).map((delivery) => delivery.envelope.payload), [
    { n: 1 },
    { n: 3 },
  ]);
});

Deno.test("rocksdb adapter removes log entries every group acknowledged, and only those", async () => {
  await using dir = await tempDir();
  const adapter = await open({ path: dir.path, compactIntervalMs: 60_000 });
  const received = collect(adapter, "Done", "app.done", 50);
  const idle = await adapter.subscribe("Waiting", "app.waiting", (delivery) => delivery.ack());
  await idle.close();
  for (let n = 0; n < 50; n++) await adapter.publish(envelope("Done", { n }));
  for (let n = 0; n < 5; n++) await adapter.publish(envelope("Waiting", { n }));
  await received;
  await adapter.close();
  const keys = await logKeys(dir.path);
  assert.deepEqual(keys.map((key) => key.split("/")[1]), Array(5).fill("Waiting"));
});

Deno.test("rocksdb adapter removes a transient group from the store once its subscriber closed", async () => {
  await using dir = await tempDir();
  const adapter = await open({ path: dir.path, compactIntervalMs: 10 });
  const lasting = await adapter.subscribe("Kept", "app.kept", (delivery) => delivery.ack());
  const retried = Promise.withResolvers<void>();
  const transient = await adapter.subscribe("Gone", "app.__sockets.a", async (delivery) => {
    await delivery.retry(60_000, "Boom: later");
    retried.resolve();
  }, { transient: true });
  await adapter.publish(envelope("Gone", { n: 1 }));
  await retried.promise; // a retry stored for the group, due in a minute
  await lasting.close();
  await transient.close();
  await adapter.publish(envelope("Gone", { n: 2 }));
  await adapter.close();
  // The lasting group stays registered; the transient one left no offset to hold the log back.
  assert.deepEqual(await logKeys(dir.path, "grp/"), ["grp/Kept/app.kept"]);
  assert.deepEqual(await logKeys(dir.path, "retry/"), []);
  assert.deepEqual(await logKeys(dir.path, "fly/"), []);
});

Deno.test("rocksdb adapter keeps the last events of a topic nobody subscribed to", async () => {
  await using dir = await tempDir();
  await using adapter = await open({ path: dir.path, unhandledLimit: 2, compactIntervalMs: 10 });
  for (const n of [1, 2, 3]) await adapter.publish(envelope("Orphan", { n }));
  await adapter.publish(envelope("Other", { n: 4 }));
  await eventually(async () => (await adapter.listUnhandled("Orphan")).length === 2);
  const orphans = await adapter.listUnhandled("Orphan");
  assert.deepEqual(orphans.map((event) => event.payload), [{ n: 2 }, { n: 3 }]);
  assert.equal((await adapter.listUnhandled()).length, 3);
});

Deno.test("rocksdb adapter keeps names with slashes apart and the order across a restart", async () => {
  await using dir = await tempDir();
  const before = await open({ path: dir.path });
  const topics = ["Orders/EU", "Orders", "Orders/EU/ünïcode ✓"];
  for (const topic of topics) {
    const subscription = await before.subscribe(topic, "app/orders", (delivery) => delivery.ack());
    await subscription.close();
  }
  for (let n = 0; n < 10; n++) {
    for (const topic of topics) await before.publish(envelope(topic, { topic, n }));
  }
  await before.close();
  await using after = await open({ path: dir.path });
  for (const topic of topics) {
    const received = await collect(after, topic, "app/orders", 10);
    assert.deepEqual(
      received.map((delivery) => delivery.envelope.payload),
      Array.from({ length: 10 }, (_, n) => ({ topic, n })),
      `the events of "${topic}"`,
    );
  }
});

// ---------------------------------------------------------------------------------------------

type Open = RocksdbAdapter & AsyncDisposable;

async function open(options: RocksdbAdapterOptions): Promise<Open> {
  const adapter = createRocksdbAdapter(options);
  await adapter.start();
  return Object.assign(adapter, { [Symbol.asyncDispose]: () => adapter.close() });
}

/** The log keys in a closed adapter's database. */
async function logKeys(path: string, prefix = "log/"): Promise<string[]> {
  const db = rocksdb(path);
  await new Promise<void>((resolve, reject) => db.open((e: unknown) => e ? reject(e) : resolve()));
  try {
    const it = db.iterator({
      gte: prefix,
      lt: `${prefix}\uffff`,
      keyAsBuffer: false,
      values: false,
    });
    const keys: string[] = [];
    for (;;) {
      const key = await new Promise<string | undefined>((resolve, reject) =>
        it.next((e: unknown, k?: string) => e ? reject(e) : resolve(k))
      );
      if (key === undefined) break;
      keys.push(key);
    }
    await new Promise<void>((resolve) => it.end(() => resolve()));
    return keys;
  } finally {
    await new Promise<void>((resolve) => db.close(() => resolve()));
  }
}

const flowPaths = new CasePaths("");

Deno.test("the engine's flow controls hold on the rocksdb adapter", (t) =>
  flowConformance(t, {
    create: () => Promise.resolve(flowPaths.create((path) => createRocksdbAdapter({ path }))),
    singleProcess: true,
  }));
