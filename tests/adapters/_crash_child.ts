/**
 * The engine side of the crash test (crash_test.ts): opens a durable adapter, consumes one group
 * whose handler appends each event id to a file (one `write` call per id, then `fdatasync`) and then
 * acknowledges, and publishes `count` events with fixed ids and
 * idempotency keys, so that a restarted child publishes only what the killed one had not.
 *
 * Prints `half` once it handled half of `count` events in this run, and `published` once it
 * published them all.
 *
 * Usage: `deno run -A _crash_child.ts <rocksdb|denokv> <store path> <handled file> <count>`
 *
 * @module
 */

import type { Adapter, EventEnvelope } from "../../adapters/mod.ts";
import { createDenokvAdapter } from "../../adapters/denokv/mod.ts";
import { createRocksdbAdapter } from "../../adapters/rocksdb/mod.ts";

const [type = "", path = "", handledPath = "", countText = "0"] = Deno.args;
const count = Number(countText);
const PUBLISHERS = 32;

const adapter = open(type, path);
await adapter.start();
const handled = await Deno.open(handledPath, { append: true, create: true });
const encoder = new TextEncoder();
let handledHere = 0;
await adapter.subscribe("CrashTest", "crash.handler", async (delivery) => {
  handled.writeSync(encoder.encode(`${delivery.envelope.id}\n`));
  handled.syncDataSync();
  await delivery.ack();
  // The test kills this process when it reads this line: mid-stream, whatever the speed. Not
  // awaited, so that the kill lands while deliveries go on.
  if (++handledHere === Math.floor(count / 2)) {
    Deno.stdout.write(encoder.encode("half\n")).catch(() => {});
  }
});
let next = 0;
await Promise.all(Array.from({ length: PUBLISHERS }, async () => {
  while (next < count) await adapter.publish(envelope(next++));
}));
await Deno.stdout.write(encoder.encode("published\n"));
// Runs until the test kills it.
setInterval(() => {}, 60_000);

function open(type: string, path: string): Adapter {
  if (type === "rocksdb") return createRocksdbAdapter({ path });
  if (type === "denokv") return createDenokvAdapter({ path });
  throw new Error(`Unknown adapter "${type}"`);
}

function envelope(n: number): EventEnvelope {
  return {
    id: `event-${n}`,
    topic: "CrashTest",
    payload: { n },
    timestamp: new Date().toISOString(),
    metadata: {
      trace_id: `trace-${n}`,
      parent_id: null,
      source: "workbench",
      attempt: 1,
      idempotency_key: `crash-${n}`,
    },
  };
}
