// deno-lint-ignore-file no-console -- a benchmark prints its results
/**
 * `state.kv` get and set per second on each shared backend, next to the backend's own client doing
 * the same work, in one run: `denokv` (a Deno KV file) against `Deno.openKv`, `nats` (JetStream
 * key-value) against `@nats-io/kv`, `postgres` against the `postgres` client with a plain
 * `INSERT ... ON CONFLICT` / `SELECT` table. Each side writes then reads the same keys with the same
 * number of operations in flight; the Rohas side goes through `openState` (`kvOver` on the
 * backend), as handlers' `state.kv` does in the process that owns the store.
 *
 *   deno run -A bench/kv_bench.ts [--ops 2000] [--concurrency 16]
 *
 * Needs the test brokers and services running (`scripts/brokers/start.sh`,
 * `scripts/services/start.sh`); `ROHAS_TEST_NATS_URL` and `ROHAS_TEST_PG_URL` override where.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { connect } from "@nats-io/transport-node";
import { Kvm } from "@nats-io/kv";
import postgres from "postgres";
import { openState } from "../state/mod.ts";
import type { StateSection } from "../project/mod.ts";
import { machineLine } from "./_machine.ts";

const args = parseArgs({
  args: Deno.args,
  options: {
    ops: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "16" },
  },
});
const OPS = Number(args.values.ops);
const CONCURRENCY = Number(args.values.concurrency);
const NATS_URL = Deno.env.get("ROHAS_TEST_NATS_URL") ?? "nats://127.0.0.1:14222";
const PG_URL = Deno.env.get("ROHAS_TEST_PG_URL") ?? "postgres://postgres@127.0.0.1:55432/postgres";
const VALUE = { title: "a task", done: false, tags: ["x", "y"], n: 42 };

/** What one side does: set key i, get key i. */
interface Client {
  set(i: number): Promise<unknown>;
  get(i: number): Promise<unknown>;
  close(): Promise<void>;
}

/** Runs `op` for 0..OPS-1 with CONCURRENCY in flight; operations per second. */
async function rate(op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < OPS) await op(next++);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return OPS / ((performance.now() - started) / 1000);
}

async function measure(client: Client): Promise<{ set: number; get: number }> {
  await rate((i) => client.set(i)); // warm-up: connections, prepared statements, JIT
  const set = await rate((i) => client.set(i));
  const get = await rate((i) => client.get(i));
  await client.close();
  return { set, get };
}

async function rohas(section: StateSection, namespace: string): Promise<Client> {
  const kv = await openState(section, { root: Deno.cwd(), namespace });
  return {
    set: (i) => kv.set(["tasks", i], VALUE),
    get: (i) => kv.get(["tasks", i]),
    close: () => kv.close(),
  };
}

async function rawDenoKv(path: string): Promise<Client> {
  const kv = await Deno.openKv(path);
  return {
    set: (i) => kv.set(["tasks", i], VALUE),
    get: (i) => kv.get(["tasks", i]),
    close: () => Promise.resolve(kv.close()),
  };
}

async function rawNats(bucket: string): Promise<Client> {
  const nc = await connect({ servers: NATS_URL });
  const kvm = new Kvm(nc);
  const kv = await kvm.create(bucket, { history: 1 });
  const encoder = new TextEncoder();
  return {
    set: (i) => kv.put(`tasks.${i}`, encoder.encode(JSON.stringify(VALUE))),
    get: async (i) => JSON.parse(new TextDecoder().decode((await kv.get(`tasks.${i}`))!.value)),
    close: async () => {
      await kv.destroy();
      await nc.close();
    },
  };
}

async function rawPostgres(table: string): Promise<Client> {
  const sql = postgres(PG_URL, { max: CONCURRENCY, onnotice: () => {} });
  await sql`CREATE TABLE ${sql(table)} (key text PRIMARY KEY, value jsonb NOT NULL)`;
  return {
    set: (i) =>
      sql`INSERT INTO ${sql(table)} (key, value) VALUES (${`tasks/${i}`}, ${sql.json(VALUE)})
        ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    get: (i) => sql`SELECT value FROM ${sql(table)} WHERE key = ${`tasks/${i}`}`,
    close: async () => {
      await sql`DROP TABLE ${sql(table)}`;
      await sql.end();
    },
  };
}

console.log(machineLine());
console.log(`state.kv: ${OPS} sets then ${OPS} gets, ${CONCURRENCY} in flight, a 60-byte value`);
const dir = await Deno.makeTempDir({ prefix: "rohas-kv-bench-" });
const id = crypto.randomUUID().slice(0, 8);
const backends: [string, () => Promise<Client>, () => Promise<Client>][] = [
  [
    "denokv",
    () => rohas({ type: "denokv", path: `${dir}/rohas.kv`, url: "" }, `bench_${id}`),
    () => rawDenoKv(`${dir}/raw.kv`),
  ],
  [
    "nats",
    () => rohas({ type: "nats", path: "", url: NATS_URL }, `bench_${id}`),
    () => rawNats(`bench_raw_${id}`),
  ],
  [
    "postgres",
    () => rohas({ type: "postgres", path: "", url: PG_URL }, `bench_${id}`),
    () => rawPostgres(`bench_raw_${id}`),
  ],
];
for (const [name, openRohas, openRaw] of backends) {
  const ours = await measure(await openRohas());
  const raw = await measure(await openRaw());
  const f = (n: number) => Math.round(n).toLocaleString("en-US");
  const line = `${name.padEnd(8)} set ${f(ours.set)}/s (raw ${f(raw.set)}/s, ratio ${
    (raw.set / ours.set).toFixed(2)
  }x)  get ${f(ours.get)}/s (raw ${f(raw.get)}/s, ratio ${(raw.get / ours.get).toFixed(2)}x)`;
  console.log(line);
}
await Deno.remove(dir, { recursive: true });
await forgetRohasEntries(`bench_${id}`);

/** Removes what the Rohas side left on the shared servers (its bucket, its rows). */
async function forgetRohasEntries(namespace: string): Promise<void> {
  const nc = await connect({ servers: NATS_URL });
  await (await new Kvm(nc).open(`rohas_state_${namespace}`)).destroy();
  await nc.close();
  const sql = postgres(PG_URL, { onnotice: () => {} });
  await sql`DELETE FROM rohas_state WHERE namespace = ${namespace}`;
  await sql.end();
}
