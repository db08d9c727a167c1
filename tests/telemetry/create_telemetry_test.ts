// createTelemetry() for every `[telemetry] type`, against the real servers of
// scripts/services/start.sh for influxdb and timescaledb (fails, does not skip, when they are down).
import { deepStrictEqual as assertEquals, ok as assert, rejects } from "node:assert/strict";
import postgres from "postgres";
import type { TelemetrySection } from "../../project/mod.ts";
import { telemetrySection } from "./_section.ts";
import { createTelemetry, TELEMETRY_TYPES, TelemetryError } from "../../telemetry/mod.ts";
import { dropInfluxDatabase } from "./_influx.ts";

const INFLUX = Deno.env.get("ROHAS_TEST_INFLUX_URL") ?? "http://127.0.0.1:18086";
const PG = Deno.env.get("ROHAS_TEST_PG_URL") ?? "postgres://postgres@127.0.0.1:55432/postgres";

const section = telemetrySection;

async function record(config: TelemetrySection, root: string): Promise<string> {
  const telemetry = await createTelemetry(config, { root, otel: false });
  assertEquals(telemetry.type, config.type);
  const trace = telemetry.startTrace({ entryPoint: "CreateUser", entryType: "api" });
  telemetry.log({
    timestamp: new Date().toISOString(),
    level: "info",
    target: "test",
    message: "hello",
    fields: {},
    trace_id: trace.id,
    span_fields: {},
  });
  trace.end("success");
  await telemetry.close();
  return trace.id;
}

async function readBack(config: TelemetrySection, root: string, id: string): Promise<void> {
  const telemetry = await createTelemetry(config, { root, otel: false });
  try {
    assertEquals((await telemetry.trace(id))?.entry_point, "CreateUser");
    assertEquals((await telemetry.logs({ traceId: id })).map((l) => l.message), ["hello"]);
  } finally {
    await telemetry.close();
  }
}

Deno.test("createTelemetry() keeps rocksdb telemetry under [telemetry] path across restarts", async () => {
  const root = await Deno.makeTempDir({ prefix: "rohas_project_" });
  try {
    const config = section("rocksdb");
    const id = await record(config, root);
    assert((await Deno.stat(`${root}/.rohas/telemetry`)).isDirectory);
    await readBack(config, root, id);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("createTelemetry() writes influxdb telemetry that a reopened store reads back", async () => {
  const database = `rohas_ct_${crypto.randomUUID().replaceAll("-", "")}`;
  const config = section("influxdb", { settings: { url: INFLUX, database } });
  try {
    await readBack(config, ".", await record(config, "."));
  } finally {
    await dropInfluxDatabase(INFLUX, database);
  }
});

Deno.test("createTelemetry() writes timescaledb telemetry that a reopened store reads back", async () => {
  const prefix = `c${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}_`;
  const config = section("timescaledb", { settings: { url: PG, table_prefix: prefix } });
  try {
    await readBack(config, ".", await record(config, "."));
  } finally {
    const sql = postgres(PG, { max: 1, onnotice: () => {} });
    await sql.unsafe(`DROP TABLE IF EXISTS ${prefix}traces, ${prefix}logs, ${prefix}samples`);
    await sql.end();
  }
});

Deno.test("createTelemetry() serves memory and prometheus from memory", async () => {
  for (const type of ["memory", "prometheus"]) {
    const telemetry = await createTelemetry(section(type), { root: ".", otel: false });
    telemetry.startTrace({ entryPoint: "A", entryType: "cron" }).end("success");
    assertEquals((await telemetry.traces()).length, 1);
    assert(telemetry.exposition().includes('rohas_traces_total{status="success",type="cron"} 1'));
    await telemetry.close();
  }
});

Deno.test("createTelemetry() records nothing a disabled flag turns off", async () => {
  const telemetry = await createTelemetry(
    section("memory", { enable_traces: false, enable_logs: false, enable_metrics: false }),
    { root: ".", otel: false },
  );
  telemetry.startTrace({ entryPoint: "A", entryType: "api" }).end("success");
  telemetry.metric({ name: "x", kind: "counter", value: 1, labels: {}, timestamp: "" });
  telemetry.log({
    timestamp: new Date().toISOString(),
    level: "error",
    target: "test",
    message: "dropped",
    fields: {},
    span_fields: {},
  });
  assertEquals(await telemetry.traces(), []);
  assertEquals(await telemetry.samples(), []);
  assertEquals(await telemetry.logs(), []);
  assert(!telemetry.exposition().includes("rohas_traces_total"));
  await telemetry.close();
});

Deno.test("createTelemetry() rejects an unknown type naming the valid ones", async () => {
  await rejects(
    createTelemetry(section("mongo"), { root: "." }),
    (error: unknown) =>
      error instanceof TelemetryError &&
      error.message ===
        `Unknown telemetry type "mongo": expected one of ${TELEMETRY_TYPES.join(", ")}`,
  );
});

Deno.test("createTelemetry() names the setting when the server cannot be reached", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  await rejects(
    createTelemetry(section("influxdb", { settings: { url: `http://127.0.0.1:${port}` } }), {
      root: ".",
    }),
    (error: unknown) =>
      error instanceof TelemetryError && error.message.includes("([telemetry] url)"),
  );
});
