import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { createRecorder } from "./recorder.ts";
import { createMemoryStore } from "./memory_store.ts";
import type { LogEntry, MetricSample, TraceRecord } from "./model.ts";
import type { TelemetryStore } from "./store.ts";

/** A memory store that counts the batches written to it. */
function countingStore(): TelemetryStore & { writes: number } {
  const inner = createMemoryStore();
  const store = {
    type: "memory",
    writes: 0,
    queryTraces: inner.queryTraces.bind(inner),
    getTrace: inner.getTrace.bind(inner),
    queryLogs: inner.queryLogs.bind(inner),
    querySamples: inner.querySamples.bind(inner),
    prune: inner.prune.bind(inner),
    close: inner.close.bind(inner),
    writeTraces(t: readonly TraceRecord[]) {
      store.writes++;
      return inner.writeTraces(t);
    },
    writeLogs(l: readonly LogEntry[]) {
      store.writes++;
      return inner.writeLogs(l);
    },
    writeSamples(s: readonly MetricSample[]) {
      store.writes++;
      return inner.writeSamples(s);
    },
  };
  return store;
}

function log(message: string, level: LogEntry["level"] = "info"): LogEntry {
  return {
    timestamp: new Date().toISOString(),
    level,
    target: "t",
    message,
    fields: {},
    span_fields: {},
  };
}

Deno.test("createRecorder() writes in batches off the call path and close() flushes", async () => {
  const store = countingStore();
  const telemetry = createRecorder(store, { flushIntervalMs: 60_000 });
  for (let i = 0; i < 50; i++) {
    telemetry.startTrace({ entryPoint: `A${i}`, entryType: "api" }).end("success");
  }
  assertEquals(store.writes, 0);
  await telemetry.close();
  assert(store.writes <= 2, `writes: ${store.writes}`);
  assertEquals((await store.queryTraces({ limit: 1000 })).length, 50);
});

Deno.test("createRecorder() lists running traces with stored ones, newest first", async () => {
  let clock = Date.parse("2026-01-01T00:00:00Z");
  const telemetry = createRecorder(createMemoryStore(), { now: () => clock });
  const done = telemetry.startTrace({ entryPoint: "Done", entryType: "api" });
  clock += 10;
  done.end("failed", "Boom");
  const running = telemetry.startTrace({
    entryPoint: "Running",
    entryType: "event",
    parentId: done.id,
  });
  assertEquals((await telemetry.traces()).map((t) => [t.entry_point, t.status]), [
    ["Running", "running"],
    ["Done", "failed"],
  ]);
  assertEquals((await telemetry.trace(done.id))?.duration_ms, 10);
  assertEquals((await telemetry.traces({ parentId: done.id })).map((t) => t.id), [running.id]);
  await telemetry.close();
});

Deno.test("createRecorder() honours the enable flags and the log level", async () => {
  const telemetry = createRecorder(createMemoryStore(), {
    traces: false,
    metrics: false,
    logLevel: "warn",
  });
  const trace = telemetry.startTrace({ entryPoint: "A", entryType: "api" });
  trace.end("success");
  assert(trace.id.length > 0);
  telemetry.log(log("kept", "warn"));
  telemetry.log(log("dropped", "info"));
  telemetry.metric({ name: "x", kind: "counter", value: 1, labels: {}, timestamp: "" });
  assertEquals(await telemetry.traces(), []);
  assertEquals((await telemetry.logs()).map((l) => l.message), ["kept"]);
  assertEquals(await telemetry.samples(), []);
  await telemetry.close();
});

Deno.test("createRecorder() aggregates request metrics by route and exposes them", async () => {
  const telemetry = createRecorder(createMemoryStore());
  for (const status of ["success", "success", "failed"] as const) {
    telemetry.startTrace({
      entryPoint: "GetUser",
      entryType: "api",
      metadata: { method: "GET", path: "/users/{id}" },
    }).end(status);
  }
  const annotated = telemetry.startTrace({
    entryPoint: "GetUser",
    entryType: "api",
    metadata: { method: "GET", path: "/users/{id}" },
  });
  annotated.annotate?.({ status: "404" });
  annotated.end("success");
  const text = telemetry.exposition();
  assert(text.includes('rohas_http_requests_total{route="GET /users/{id}",status="success"} 2'));
  assert(text.includes('rohas_http_requests_total{route="GET /users/{id}",status="failed"} 1'));
  assert(text.includes('rohas_http_requests_total{route="GET /users/{id}",status="404"} 1'));
  assert(text.includes("# TYPE rohas_http_request_duration_ms histogram"));
  assert(
    text.includes('rohas_http_request_duration_ms_bucket{route="GET /users/{id}",le="+Inf"} 4'),
  );
  assert(/process_resident_memory_bytes \d+/.test(text));
  // Read without node:process (Deno.cpuUsage): a Deno release without it fails here.
  assert(/process_cpu_seconds_total \d+(\.\d+)?/.test(text));
  await telemetry.close();
});

Deno.test("createRecorder() tells subscribers about traces and logs as they happen", async () => {
  const telemetry = createRecorder(createMemoryStore());
  const seen: string[] = [];
  const off = telemetry.subscribe((e) =>
    seen.push(e.kind === "trace" ? `trace:${e.trace.status}` : `log:${e.entry.message}`)
  );
  const trace = telemetry.startTrace({ entryPoint: "A", entryType: "cron" });
  telemetry.log(log("hello"));
  trace.end("success");
  off();
  telemetry.log(log("unseen"));
  assertEquals(seen, ["trace:running", "log:hello", "trace:success"]);
  await telemetry.close();
});

Deno.test("createRecorder() tells a subscriber of logs only no trace, and the others every trace", async () => {
  const telemetry = createRecorder(createMemoryStore());
  const logsOnly: string[] = [];
  const all: string[] = [];
  telemetry.subscribe((e) => logsOnly.push(e.kind), { logsOnly: true });
  const off = telemetry.subscribe((e) => all.push(e.kind));
  telemetry.startTrace({ entryPoint: "A", entryType: "event" }).end("success");
  telemetry.log(log("hello"));
  off();
  telemetry.startTrace({ entryPoint: "B", entryType: "event" }).end("success");
  assertEquals([logsOnly, all], [["log"], ["trace", "trace", "log"]]);
  await telemetry.close();
});

Deno.test("createRecorder() prunes what is older than retention_days", async () => {
  let clock = Date.parse("2026-01-01T00:00:00Z");
  const telemetry = createRecorder(createMemoryStore(), { now: () => clock, retentionDays: 1 });
  telemetry.startTrace({ entryPoint: "Old", entryType: "api" }).end("success");
  clock += 2 * 86_400_000;
  telemetry.startTrace({ entryPoint: "New", entryType: "api" }).end("success");
  assert((await telemetry.prune()) >= 1);
  assertEquals((await telemetry.traces()).map((t) => t.entry_point), ["New"]);
  await telemetry.close();
});

Deno.test("createRecorder() keeps running traces listed until each ends, in any order, once", async () => {
  let clock = Date.parse("2026-01-01T00:00:00Z");
  const telemetry = createRecorder(createMemoryStore(), { now: () => clock++ });
  const [a, b, c] = ["A", "B", "C"].map((name) =>
    telemetry.startTrace({ entryPoint: name, entryType: "api" })
  );
  const running = async () =>
    (await telemetry.traces({ status: "running" })).map((t) => t.entry_point);
  assertEquals(await running(), ["C", "B", "A"]);
  b!.end("success");
  b!.end("failed", "Ignored");
  assertEquals(await running(), ["C", "A"]);
  assertEquals((await telemetry.trace(a!.id))?.status, "running");
  c!.end("success");
  a!.addStep({
    name: "A",
    path: "A",
    bucket: "A",
    handler_name: "A",
    duration_ms: 1,
    success: true,
    timestamp: "2026-01-01T00:00:00.000Z",
  });
  a!.end("success");
  a!.addStep({
    name: "Late",
    path: "Late",
    bucket: "Late",
    handler_name: "Late",
    duration_ms: 1,
    success: true,
    timestamp: "2026-01-01T00:00:00.000Z",
  });
  assertEquals(await running(), []);
  const ended = await telemetry.traces();
  assertEquals(ended.map((t) => [t.entry_point, t.status]), [
    ["C", "success"],
    ["B", "success"],
    ["A", "success"],
  ]);
  assertEquals(ended[2]!.steps.map((s) => s.name), ["A"]);
  await telemetry.close();
});

Deno.test("createRecorder() counts interleaved routes, methods and kinds each in their own series", async () => {
  const telemetry = createRecorder(createMemoryStore());
  const kinds = [
    { method: "GET", path: "/a" },
    { method: "POST", path: "/a" },
    { method: "GET", path: "/b" },
    { method: "GET", path: "/a" },
  ];
  for (const metadata of [...kinds, ...kinds]) {
    telemetry.startTrace({ entryPoint: "Api", entryType: "api", metadata }).end("success");
    telemetry.startTrace({ entryPoint: "OnEvent", entryType: "event" }).end("success");
  }
  const text = telemetry.exposition();
  assert(text.includes('rohas_http_requests_total{route="GET /a",status="success"} 4'));
  assert(text.includes('rohas_http_requests_total{route="POST /a",status="success"} 2'));
  assert(text.includes('rohas_http_requests_total{route="GET /b",status="success"} 2'));
  assert(text.includes('rohas_traces_total{status="success",type="api"} 8'));
  assert(text.includes('rohas_traces_total{status="success",type="event"} 8'));
  await telemetry.close();
});

Deno.test("createRecorder() stores an ended trace with its times, steps, metadata and error, readable at once", async () => {
  let clock = Date.parse("2026-01-01T00:00:00.000Z");
  const telemetry = createRecorder(createMemoryStore(), {
    now: () => clock,
    flushIntervalMs: 60_000,
  });
  const step = {
    name: "middleware:auth",
    path: "auth",
    bucket: "auth",
    handler_name: "auth",
    duration_ms: 0.25,
    success: false,
    error: "Denied",
    timestamp: "2026-01-01T00:00:00.001Z",
  };
  const trace = telemetry.startTrace({
    id: "t-1",
    entryPoint: "GetUser",
    entryType: "api",
    parentId: "p-1",
    metadata: { method: "GET", path: "/users/{id}" },
  });
  trace.addStep(step);
  trace.annotate?.({ status: "401" });
  clock += 7;
  trace.end("failed", "Denied");
  assertEquals(await telemetry.trace("t-1"), {
    id: "t-1",
    parent_id: "p-1",
    entry_point: "GetUser",
    entry_type: "api",
    bucket: "/users/{id}",
    status: "failed",
    duration_ms: 7,
    started_at: "2026-01-01T00:00:00.000Z",
    completed_at: "2026-01-01T00:00:00.007Z",
    steps: [step],
    error: "Denied",
    metadata: { method: "GET", path: "/users/{id}", status: "401" },
  });
  assertEquals((await telemetry.traces()).map((t) => t.id), ["t-1"]);
  await telemetry.close();
});

Deno.test("createRecorder() takes a trace's start from startedMs when the caller read the clock", async () => {
  let reads = 0;
  const telemetry = createRecorder(createMemoryStore(), {
    now: () => (reads++, Date.parse("2026-01-01T00:00:01.000Z")),
  });
  telemetry.startTrace({
    entryPoint: "Tick",
    entryType: "cron",
    startedMs: Date.parse("2026-01-01T00:00:00.500Z"),
  }).end("success");
  assertEquals(reads, 1);
  const [stored] = await telemetry.traces();
  assertEquals([stored?.started_at, stored?.completed_at, stored?.duration_ms], [
    "2026-01-01T00:00:00.500Z",
    "2026-01-01T00:00:01.000Z",
    500,
  ]);
  await telemetry.close();
});

Deno.test("createRecorder() takes a trace's end from endedMs when the caller knows it", async () => {
  let reads = 0;
  const telemetry = createRecorder(createMemoryStore(), {
    now: () => (reads++, Date.parse("2026-01-01T00:00:09.000Z")),
  });
  telemetry.startTrace({
    entryPoint: "GetUser",
    entryType: "api",
    startedMs: Date.parse("2026-01-01T00:00:00.500Z"),
  }).end("success", undefined, Date.parse("2026-01-01T00:00:00.750Z"));
  assertEquals(reads, 0);
  const [stored] = await telemetry.traces();
  assertEquals([stored?.completed_at, stored?.duration_ms], ["2026-01-01T00:00:00.750Z", 250]);
  await telemetry.close();
});

Deno.test("createRecorder() gives live subscribers each trace's record when it starts and ends", async () => {
  let clock = Date.parse("2026-01-01T00:00:00.000Z");
  const telemetry = createRecorder(createMemoryStore(), { now: () => clock });
  const seen: TraceRecord[] = [];
  telemetry.subscribe((e) => e.kind === "trace" && seen.push(e.trace));
  const trace = telemetry.startTrace({ entryPoint: "A", entryType: "event", metadata: {} });
  clock += 3;
  trace.end("success");
  assertEquals(seen.map((t) => [t.status, t.duration_ms, t.completed_at, "metadata" in t]), [
    ["running", 0, undefined, false],
    ["success", 3, "2026-01-01T00:00:00.003Z", false],
  ]);
  await telemetry.close();
});

Deno.test("createRecorder() takes the start the caller read and reads the clock once, at the first end", async () => {
  let reads = 0;
  const end = Date.parse("2026-01-01T00:00:00.014Z");
  const telemetry = createRecorder(createMemoryStore(), { now: () => (reads++, end) });
  const trace = telemetry.startTrace({
    entryPoint: "Bench",
    entryType: "api",
    metadata: { method: "POST", path: "/bench" },
    startedMs: Date.parse("2026-01-01T00:00:00.010Z"),
  });
  trace.end("success");
  trace.end("failed", "Ignored");
  assertEquals(reads, 1);
  const [stored] = await telemetry.traces();
  assertEquals([stored?.status, stored?.started_at, stored?.completed_at, stored?.duration_ms], [
    "success",
    "2026-01-01T00:00:00.010Z",
    "2026-01-01T00:00:00.014Z",
    4,
  ]);
  assert(
    telemetry.exposition().includes('rohas_http_request_duration_ms_sum{route="POST /bench"} 4'),
  );
  await telemetry.close();
});

Deno.test("createRecorder() gives a persistent store at most maxPersistedPerSecond traces and samples a second, and counts the rest", async () => {
  const store = countingStore();
  const telemetry = createRecorder(store, { maxPersistedPerSecond: 3 });
  const record = (round: number, status: "success" | "failed", n: number) => {
    for (let i = 0; i < n; i++) {
      telemetry.startTrace({ entryPoint: `${status}-${round}-${i}`, entryType: "api" }).end(status);
      telemetry.metric({
        name: "rohas_events_published_total",
        kind: "counter",
        value: 1,
        labels: { topic: "T" },
        timestamp: new Date().toISOString(),
      });
    }
  };
  // Recorded in one turn, so within one second of the budget's timer.
  record(1, "success", 5);
  record(1, "failed", 4);
  await telemetry.flush();
  const stored = (await store.queryTraces({ limit: 100 })).map((t) => t.entry_point).sort();
  assertEquals(stored, [
    "failed-1-0",
    "failed-1-1",
    "failed-1-2",
    "success-1-0",
    "success-1-1",
    "success-1-2",
  ]);
  assertEquals((await store.querySamples({ limit: 100 })).length, 3);
  const text = telemetry.exposition();
  assert(text.includes('rohas_telemetry_unpersisted_total{signal="traces"} 3'), text);
  assert(text.includes('rohas_telemetry_unpersisted_total{signal="samples"} 6'), text);
  // The live metrics count every trace.
  assert(text.includes('rohas_traces_total{status="success",type="api"} 5'), text);
  // The next second has a budget again.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  record(2, "success", 1);
  await telemetry.flush();
  assertEquals((await store.queryTraces({ limit: 100 })).length, 7);
  await telemetry.close();
});

/** One handler call as `engine/_invoke.ts` records it: a trace step and a duration sample. */
function handlerCall(telemetry: ReturnType<typeof createRecorder>, ok: boolean): void {
  const trace = telemetry.startTrace({ entryPoint: "Bench", entryType: "api" });
  const timestamp = new Date().toISOString();
  trace.addStep({
    name: "Bench",
    path: "Bench",
    bucket: "Bench",
    handler_name: "Bench",
    duration_ms: 2.5,
    success: ok,
    timestamp,
  });
  telemetry.metric({
    name: "handler_duration_ms",
    kind: "histogram",
    value: 2.5,
    labels: { handler: "Bench", kind: "api", ok: String(ok) },
    timestamp,
  });
  trace.end(ok ? "success" : "failed");
}

Deno.test("createRecorder() stores a handler's duration in its trace step only, and counts it live", async () => {
  const store = countingStore();
  const telemetry = createRecorder(store);
  handlerCall(telemetry, true);
  handlerCall(telemetry, false);
  await telemetry.flush();
  assertEquals(await store.querySamples(), []);
  const steps = (await store.queryTraces()).map((t) => [t.status, t.steps[0]?.duration_ms]);
  assertEquals(steps.sort(), [["failed", 2.5], ["success", 2.5]]);
  const text = telemetry.exposition();
  assert(text.includes('handler_duration_ms_count{handler="Bench",kind="api",ok="true"} 1'), text);
  assert(text.includes('rohas_handler_errors_total{handler="Bench",kind="api"} 1'), text);
  await telemetry.close();
});

Deno.test("createRecorder() with traces off stores a handler's duration as a sample", async () => {
  const store = countingStore();
  const telemetry = createRecorder(store, { traces: false });
  handlerCall(telemetry, true);
  await telemetry.flush();
  assertEquals((await store.querySamples()).map((s) => [s.name, s.value]), [
    ["handler_duration_ms", 2.5],
  ]);
  assertEquals(await store.queryTraces(), []);
  await telemetry.close();
});

Deno.test("createRecorder() applies maxPersistedPerSecond to an immediate store as well", async () => {
  const telemetry = createRecorder(createMemoryStore(), { maxPersistedPerSecond: 2 });
  for (let i = 0; i < 5; i++) {
    telemetry.startTrace({ entryPoint: `A${i}`, entryType: "api" }).end("success");
  }
  telemetry.startTrace({ entryPoint: "F", entryType: "api" }).end("failed", "Boom");
  assertEquals((await telemetry.traces()).map((t) => t.entry_point).sort(), ["A0", "A1", "F"]);
  assert(telemetry.exposition().includes('rohas_telemetry_unpersisted_total{signal="traces"} 3'));
  await telemetry.close();
});

Deno.test("createRecorder().persist() writes records built elsewhere as they are, uncounted and unannounced", async () => {
  const store = countingStore();
  const telemetry = createRecorder(store, { flushIntervalMs: 60_000, maxPersistedPerSecond: 1 });
  const heard: string[] = [];
  telemetry.subscribe((event) => heard.push(event.kind));
  const record: TraceRecord = {
    id: "from-an-edge",
    entry_point: "Bench",
    entry_type: "api",
    bucket: "/bench",
    status: "success",
    duration_ms: 2,
    started_at: "2026-01-01T00:00:00.000Z",
    completed_at: "2026-01-01T00:00:00.002Z",
    steps: [],
    metadata: { method: "POST", path: "/bench" },
  };
  const entry = log("handled");
  // Two traces with a budget of one a second: an edge's recorder applied its own share already.
  telemetry.persist({ traces: [record, { ...record, id: "second" }], logs: [entry], samples: [] });
  telemetry.startTrace({ entryPoint: "Own", entryType: "api" }).end("success");
  await telemetry.flush();
  assertEquals(await store.getTrace("from-an-edge"), record);
  assertEquals((await store.getTrace("second"))?.id, "second");
  assertEquals((await store.queryLogs()).map((l) => l.message), ["handled"]);
  assertEquals(heard, ["trace", "trace"]); // the recorder's own trace, started and ended
  assert(telemetry.exposition().includes('rohas_traces_total{status="success",type="api"} 1'));
  await telemetry.close();
});

Deno.test("createRecorder() marks traces, logs and metrics with the instance it runs as", async () => {
  const telemetry = createRecorder(createMemoryStore(), { instance: "web-2" });
  const trace = telemetry.startTrace({
    entryPoint: "CreateUser",
    entryType: "api",
    metadata: { method: "POST", path: "/users" },
  });
  trace.end("success");
  telemetry.log({
    timestamp: new Date().toISOString(),
    level: "info",
    target: "handler",
    message: "Created",
    fields: { user: "1" },
    span_fields: {},
  });
  telemetry.metric({
    name: "handler_duration_ms",
    kind: "histogram",
    value: 3,
    labels: { handler: "create_user" },
    timestamp: new Date().toISOString(),
  });
  telemetry.metric({
    name: "rohas_events_published_total",
    kind: "counter",
    value: 1,
    labels: { topic: "UserCreated" },
    timestamp: new Date().toISOString(),
  });
  const [stored] = await telemetry.traces();
  assertEquals(stored?.metadata, { method: "POST", path: "/users", instance: "web-2" });
  assertEquals((await telemetry.logs())[0]?.fields, { user: "1", instance: "web-2" });
  assertEquals((await telemetry.samples())[0]?.labels, {
    topic: "UserCreated",
    instance: "web-2",
  });
  const text = telemetry.exposition();
  assert(text.includes('rohas_traces_total{instance="web-2",status="success",type="api"} 1'), text);
  assert(
    text.includes('handler_duration_ms_count{handler="create_user",instance="web-2"} 1'),
    text,
  );
  await telemetry.close();
});

Deno.test("createRecorder() with logs off keeps no entry but still shows it to live subscribers", async () => {
  const telemetry = createRecorder(createMemoryStore(), { logs: false, logLevel: "warn" });
  const seen: string[] = [];
  telemetry.subscribe((e) => e.kind === "log" && seen.push(e.entry.message));
  telemetry.log({ ...log("Handler failed"), level: "error" });
  telemetry.log({ ...log("below the level"), level: "info" });
  assertEquals(seen, ["Handler failed"]);
  assertEquals(await telemetry.logs(), []);
  await telemetry.close();
});

/** Lazy metadata that, like a request's, can no longer be read once the trace's end returned. */
function requestLike(calls: { n: number }): { lazy: () => Record<string, string>; close(): void } {
  let open = true;
  return {
    lazy: () => {
      if (!open) throw new Error("Request closed");
      calls.n++;
      return { method: "POST", path: "/bench", ip_address: "10.0.0.7" };
    },
    close: () => open = false,
  };
}

Deno.test("createRecorder() builds a kept trace's lazy metadata in its end, before the request closes, with the instance", async () => {
  for (const store of [countingStore(), createMemoryStore()]) {
    const telemetry = createRecorder(store, { instance: "web-2" });
    const calls = { n: 0 };
    const request = requestLike(calls);
    telemetry.startTrace({
      entryPoint: "Bench",
      entryType: "api",
      metadata: { method: "POST", path: "/bench" },
      lazyMetadata: request.lazy,
    }).end("success");
    request.close();
    await telemetry.flush();
    const [stored] = await store.queryTraces();
    assertEquals(stored?.metadata, {
      method: "POST",
      path: "/bench",
      ip_address: "10.0.0.7",
      instance: "web-2",
    });
    assertEquals(calls.n, 1);
    await telemetry.close();
  }
});

Deno.test("createRecorder() never builds the lazy metadata of a trace it counts and does not keep", async () => {
  const store = countingStore();
  const telemetry = createRecorder(store, { maxPersistedPerSecond: 1 });
  const calls = { n: 0 };
  for (let i = 0; i < 3; i++) {
    telemetry.startTrace({
      entryPoint: "Bench",
      entryType: "api",
      metadata: { method: "POST", path: "/bench" },
      lazyMetadata: requestLike(calls).lazy,
    }).end("success");
  }
  await telemetry.flush();
  assertEquals(calls.n, 1);
  assertEquals((await store.queryTraces()).length, 1);
  // Counted by the metadata it was started with.
  const text = telemetry.exposition();
  assert(text.includes('rohas_http_requests_total{route="POST /bench",status="success"} 3'), text);
  await telemetry.close();
});

Deno.test("createRecorder() builds a running trace's lazy metadata when it is read", async () => {
  const telemetry = createRecorder(createMemoryStore());
  const calls = { n: 0 };
  const trace = telemetry.startTrace({
    entryPoint: "Bench",
    entryType: "api",
    metadata: { method: "POST", path: "/bench" },
    lazyMetadata: requestLike(calls).lazy,
  });
  assertEquals((await telemetry.traces())[0]?.metadata?.ip_address, "10.0.0.7");
  trace.end("success");
  assertEquals((await telemetry.traces())[0]?.metadata?.ip_address, "10.0.0.7");
  assertEquals(calls.n, 1);
  await telemetry.close();
});
