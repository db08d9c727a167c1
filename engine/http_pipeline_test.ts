import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { createApp } from "./create_app.ts";
import { loadConfig } from "../project/mod.ts";
import { manifest } from "../examples/hello-ts/src/generated/manifest.ts";
import { createMemoryStore, createRecorder, type Telemetry } from "../telemetry/mod.ts";

const root = fileURLToPath(new URL("../examples/hello-ts/", import.meta.url));

async function openApp() {
  const { config } = await loadConfig(root, { env: {} });
  const app = await createApp({ manifest, root, config, mode: "dev", cron: false });
  return Object.assign(app, { [Symbol.asyncDispose]: () => app.close() });
}

Deno.test("the pipeline serves a route matched by the server without routing again", async () => {
  await using app = await openApp();
  const route = app.engine.model().routes.find((r) => r.api === "GetUser");
  assert.ok(route);
  // The path names no route: only the match handed over can lead to GetUser.
  const res = await app.handler(new Request("http://app.test/not-routed?tag=x"), {
    matched: { route, params: { id: "handed" } },
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("x-rohas-trace-id") ?? "", /^[0-9a-f-]{36}$/);
  assert.equal(res.headers.get("access-control-allow-origin"), "*");
  assert.deepEqual(await res.json(), { data: { id: "handed", queryParams: { tag: "x" } } });
  const unmatched = await app.handler(new Request("http://app.test/not-routed"));
  assert.equal(unmatched.status, 404);
  await unmatched.body?.cancel();
});

Deno.test("the pipeline answers its own health path even for a request handed over matched", async () => {
  await using app = await openApp();
  const route = app.engine.model().routes.find((r) => r.api === "GetUser");
  assert.ok(route);
  const res = await app.handler(new Request("http://app.test/_rohas/health"), {
    matched: { route, params: { id: "x" } },
  });
  assert.deepEqual(await res.json(), { status: "ok" });
});

Deno.test("a request's trace and metrics name its own method, HEAD answered by a GET route included", async () => {
  const { config } = await loadConfig(root, { env: {} });
  const telemetry = createRecorder(createMemoryStore(), { retentionDays: 0 });
  const app = await createApp({ manifest, root, config, telemetry, cron: false });
  try {
    for (const method of ["GET", "HEAD", "GET"]) {
      const res = await app.handler(new Request("http://app.test/hello", { method }));
      assert.equal(res.status, 200);
      await res.body?.cancel();
    }
    const requests = telemetry.metrics().filter((s) => s.name === "rohas_http_requests_total");
    const byRoute = Object.fromEntries(requests.map((s) => [s.labels.route, s.value]));
    assert.deepEqual(byRoute, { "GET /hello": 2, "HEAD /hello": 1 });
    const traces = await telemetry.traces({ limit: 10 });
    const methods = traces.map((t) => `${t.metadata?.method} ${t.metadata?.path}`).sort();
    assert.deepEqual(methods, ["GET /hello", "GET /hello", "HEAD /hello"]);
    // The route's shared key is never written into: it stays the route's own.
    const route = app.engine.model().routes.find((r) => r.pattern === "/hello");
    assert.deepEqual(route?.traceKey, { method: "GET", path: "/hello" });
    assert.ok(Object.isFrozen(route?.traceKey));
  } finally {
    await app.close();
  }
});

/** POST /bench's body: the 7 fields of its input type. */
const BENCH_BODY = JSON.stringify({
  name: "Ann",
  email: "ann@example.com",
  age: 31,
  score: 9.5,
  active: true,
  country: "NZ",
  joinedAt: "2024-01-02T03:04:05Z",
});

/** A POST with a JSON body of declared length, as a client over a socket sends it. */
function postJson(path: string, body: string): Request {
  return new Request(`http://app.test${path}`, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", "content-length": String(body.length) },
  });
}

Deno.test("a JSON body of declared length is answered with the trace id, CORS and the JSON type", async () => {
  await using app = await openApp();
  const answers = [
    // A handler that answers at once, one that answers later (and publishes), malformed JSON.
    [await app.handler(postJson("/bench", BENCH_BODY)), 200],
    [await app.handler(postJson("/users", '{"name":"Ann","email":"ann@example.com"}')), 200],
    [await app.handler(postJson("/users", "{nope")), 400],
  ] as const;
  for (const [res, status] of answers) {
    assert.equal(res.status, status);
    // The type Deno serves without checking it again (and the workbench's answers carry).
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.match(res.headers.get("x-rohas-trace-id") ?? "", /^[0-9a-f-]{36}$/);
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
    assert.equal(res.headers.get("access-control-expose-headers"), "X-Rohas-Trace-Id");
    await res.body?.cancel();
  }
});

Deno.test("an engine defect after a JSON body was read is answered 500, never a rejection", async () => {
  const { config } = await loadConfig(root, { env: {} });
  const ends: string[] = [];
  // A telemetry whose trace steps fail: the pipeline throws after the handler returned.
  const telemetry: Telemetry = {
    startTrace: (options) => ({
      id: options.id ?? crypto.randomUUID(),
      addStep() {
        throw new Error("the step store broke");
      },
      end(status) {
        ends.push(status);
      },
    }),
    log() {},
    metric() {},
    close: () => Promise.resolve(),
  };
  const app = await createApp({
    manifest,
    root,
    config,
    telemetry,
    mode: "production",
    cron: false,
  });
  try {
    for (const path of ["/bench", "/users"]) {
      const body = path === "/bench" ? BENCH_BODY : '{"name":"Ann","email":"ann@example.com"}';
      const res = await app.handler(postJson(path, body));
      assert.equal(res.status, 500);
      assert.match(res.headers.get("x-rohas-trace-id") ?? "", /^[0-9a-f-]{36}$/);
      assert.equal(res.headers.get("access-control-allow-origin"), "*");
      assert.equal((await res.json()).error, "Internal server error");
    }
    assert.deepEqual(ends, ["failed", "failed"]);
  } finally {
    await app.close();
  }
});

Deno.test("an API trace answered at once ends at its handler's end, with no clock read of its own", async () => {
  const { config } = await loadConfig(root, { env: {} });
  let reads = 0;
  const now = () => (reads++, Date.now());
  const telemetry = createRecorder(createMemoryStore(), { retentionDays: 0, now });
  const app = await createApp({ manifest, root, config, telemetry, cron: false });
  try {
    const before = Date.now();
    const res = await app.handler(postJson("/bench", BENCH_BODY));
    assert.equal(res.status, 200);
    await res.body?.cancel();
    const after = Date.now();
    // The trace's start is the pipeline's own reading and its end the handler's: none of these.
    assert.equal(reads, 0);
    const [trace] = await telemetry.traces({ limit: 1 });
    assert.ok(trace?.completed_at);
    const [step] = trace.steps;
    assert.ok(step);
    const completed = Date.parse(trace.completed_at);
    const handlerEnd = Date.parse(step.timestamp) + step.duration_ms;
    // To the millisecond: the handler's end as the clock reads it, floored like `Date.now`.
    assert.equal(completed, Math.floor(handlerEnd));
    assert.ok(before <= Date.parse(trace.started_at) && completed <= after);
    assert.equal(trace.duration_ms, completed - Date.parse(trace.started_at));
  } finally {
    await app.close();
  }
});
