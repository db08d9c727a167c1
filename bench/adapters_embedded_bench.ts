// deno-lint-ignore-file no-console -- a benchmark script prints its results
/**
 * Embedded adapters benchmark (issue 6, target: within 2x of the raw store), measured side by side
 * in one run with 1 KB payloads:
 *
 * - throughput: `--events` events published by `--publishers` concurrent publishers, one group
 *   consuming at concurrency 1; events/s from the first publish to the last handler start;
 * - latency: `--samples` events published one at a time, each after the previous one reached its
 *   handler; p50 and p99 of publish call to handler start (an idle system, no queueing).
 *
 * Rows: the `memory`, `rocksdb` and `denokv` adapters, and the raw stores doing the same work
 * without Rohas: raw RocksDB (a synced put per event, the consumer iterating from its cursor when
 * told a put landed) and raw Deno KV (`enqueue` and `listenQueue`).
 *
 *   deno run -A bench/adapters_embedded_bench.ts [--events 5000] [--kv-events 2000]
 *     [--publishers 64] [--samples 300]
 *
 * @module
 */

import { parseArgs } from "node:util";
import rocksdb from "rocksdb";
import type { Adapter, EventEnvelope } from "../adapters/mod.ts";
import { createMemoryAdapter } from "../adapters/memory/mod.ts";
import { createRocksdbAdapter } from "../adapters/rocksdb/mod.ts";
import { createDenokvAdapter } from "../adapters/denokv/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    events: { type: "string", default: "5000" },
    "kv-events": { type: "string", default: "2000" },
    publishers: { type: "string", default: "64" },
    samples: { type: "string", default: "300" },
  },
});
const EVENTS = Number(values.events);
const KV_EVENTS = Number(values["kv-events"]);
const PUBLISHERS = Number(values.publishers);
const SAMPLES = Number(values.samples);
const FILLER = "x".repeat(1024 - 60);

/** What one row measures: publish an event, and call `handled` when a consumer starts on it. */
interface Subject {
  publish(n: number): Promise<void>;
  close(): Promise<void>;
}

type Open = (dir: string, handled: (sentAt: number) => void) => Promise<Subject>;

interface Result {
  name: string;
  eventsPerSecond: number;
  p50: number;
  p99: number;
}

const sentAt = new Map<number, number>();

const results: Result[] = [];
results.push(
  await measure("memory", EVENTS, (_dir, handled) => openAdapter(createMemoryAdapter(), handled)),
);
results.push(
  await measure(
    "rocksdb",
    EVENTS,
    (dir, handled) => openAdapter(createRocksdbAdapter({ path: `${dir}/db` }), handled),
  ),
);
results.push(await measure("raw rocksdb", EVENTS, openRawRocksdb));
results.push(
  await measure(
    "denokv",
    KV_EVENTS,
    (dir, handled) => openAdapter(createDenokvAdapter({ path: `${dir}/events.kv` }), handled),
  ),
);
results.push(await measure("raw deno kv", KV_EVENTS, openRawKv));

console.log("");
console.log("| subject | events/s | p50 ms | p99 ms |");
console.log("|---|---:|---:|---:|");
for (const r of results) {
  console.log(
    `| ${r.name} | ${Math.round(r.eventsPerSecond)} | ${r.p50.toFixed(3)} | ${r.p99.toFixed(3)} |`,
  );
}
console.log("");
for (const [name, raw] of [["rocksdb", "raw rocksdb"], ["denokv", "raw deno kv"]] as const) {
  const a = results.find((r) => r.name === name) as Result;
  const b = results.find((r) => r.name === raw) as Result;
  console.log(
    `${name} vs ${raw}: throughput ratio ${(b.eventsPerSecond / a.eventsPerSecond).toFixed(2)}x ` +
      `(raw/adapter), p50 ratio ${(a.p50 / b.p50).toFixed(2)}x, p99 ratio ${
        (a.p99 / b.p99).toFixed(2)
      }x ` +
      `(adapter/raw; target within 2x)`,
  );
}

async function measure(name: string, events: number, open: Open): Promise<Result> {
  const dir = await Deno.makeTempDir({ prefix: "rohas_bench_" });
  try {
    const eventsPerSecond = await throughput(dir, events, open);
    const [p50, p99] = await latency(`${dir}/latency`, open);
    console.log(
      `${name}: ${Math.round(eventsPerSecond)} events/s, p50 ${p50.toFixed(3)} ms, p99 ${
        p99.toFixed(3)
      } ms`,
    );
    return { name, eventsPerSecond, p50, p99 };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function throughput(dir: string, events: number, open: Open): Promise<number> {
  let count = 0;
  const done = Promise.withResolvers<number>();
  const subject = await open(`${dir}/throughput`, () => {
    if (++count === events) done.resolve(performance.now());
  });
  try {
    const start = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: PUBLISHERS }, async () => {
      while (next < events) await subject.publish(next++);
    }));
    return events / ((await done.promise - start) / 1000);
  } finally {
    await subject.close();
  }
}

async function latency(dir: string, open: Open): Promise<[number, number]> {
  let waiting = Promise.withResolvers<number>();
  const subject = await open(dir, (at) => waiting.resolve(performance.now() - at));
  const samples: number[] = [];
  try {
    for (let n = 0; n < SAMPLES; n++) {
      waiting = Promise.withResolvers<number>();
      const at = performance.now();
      sentAt.set(n, at);
      await subject.publish(n);
      samples.push(await waiting.promise);
    }
  } finally {
    await subject.close();
    sentAt.clear();
  }
  samples.sort((a, b) => a - b);
  return [percentile(samples, 0.5), percentile(samples, 0.99)];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

function payload(n: number): { n: number; at: number; filler: string } {
  return { n, at: sentAt.get(n) ?? performance.now(), filler: FILLER };
}

function envelope(n: number): EventEnvelope {
  return {
    id: crypto.randomUUID(),
    topic: "Bench",
    payload: payload(n),
    timestamp: new Date().toISOString(),
    metadata: { trace_id: crypto.randomUUID(), parent_id: null, source: "workbench", attempt: 1 },
  };
}

async function openAdapter(adapter: Adapter, handled: (at: number) => void): Promise<Subject> {
  await adapter.start();
  await adapter.subscribe("Bench", "bench.handler", async (delivery) => {
    handled((delivery.envelope.payload as { at: number }).at);
    await delivery.ack();
  });
  return { publish: (n) => adapter.publish(envelope(n)), close: () => adapter.close() };
}

/** Raw RocksDB: a synced put per event; the consumer iterates from its cursor when told. */
async function openRawRocksdb(dir: string, handled: (at: number) => void): Promise<Subject> {
  await Deno.mkdir(dir, { recursive: true });
  const db = rocksdb(dir);
  await new Promise<void>((resolve, reject) => db.open((e: unknown) => e ? reject(e) : resolve()));
  let seq = 0;
  let cursor = 0;
  let reading = false;
  let again = false;
  const read = async (): Promise<void> => {
    if (reading) return void (again = true);
    reading = true;
    do {
      again = false;
      const it = db.iterator({
        gt: key(cursor),
        lt: "log/~",
        keyAsBuffer: false,
        valueAsBuffer: false,
      });
      for (;;) {
        const entry = await new Promise<[string, string] | null>((resolve, reject) =>
          it.next((e: unknown, k?: string, v?: string) =>
            e ? reject(e) : resolve(k === undefined ? null : [k, v ?? ""])
          )
        );
        if (!entry) break;
        cursor = Number(entry[0].slice(4));
        handled((JSON.parse(entry[1]).payload as { at: number }).at);
      }
      await new Promise<void>((resolve) => it.end(() => resolve()));
    } while (again);
    reading = false;
  };
  return {
    async publish(n) {
      const value = JSON.stringify(envelope(n));
      await new Promise<void>((resolve, reject) =>
        db.put(key(++seq), value, { sync: true }, (e: unknown) => e ? reject(e) : resolve())
      );
      read();
    },
    async close() {
      while (reading) await new Promise((resolve) => setTimeout(resolve, 1));
      await new Promise<void>((resolve) => db.close(() => resolve()));
    },
  };
}

function key(seq: number): string {
  return `log/${String(seq).padStart(16, "0")}`;
}

/** Raw Deno KV: `enqueue` per event, `listenQueue` consuming. */
async function openRawKv(dir: string, handled: (at: number) => void): Promise<Subject> {
  await Deno.mkdir(dir, { recursive: true });
  const kv = await Deno.openKv(`${dir}/raw.kv`);
  const listening = kv.listenQueue((text: string) => {
    handled((JSON.parse(text).payload as { at: number }).at);
  });
  return {
    async publish(n) {
      await kv.enqueue(JSON.stringify(envelope(n)));
    },
    async close() {
      kv.close();
      await listening;
    },
  };
}
