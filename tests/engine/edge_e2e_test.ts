// `rohas start` with edge processes ([server] workers = 2): the default profile's APIs are served in
// the isolate that took the request; everything else reaches the engine through the edges.
import assert from "node:assert/strict";
import { createUser, eventually, type ServerProcess, startServer, stats } from "./_server.ts";
import { rohas } from "../../testing/mod.ts";
import { rawUpgrade, WsClient } from "./_ws_client.ts";
import { attribute, otlpReceiver, type OtlpSpan } from "../telemetry/_otlp_receiver.ts";

const API_KEY = "edge-test-key";
const JSON_HEADERS = { "content-type": "application/json" };

/** The example under `rohas start` with two edges; `extra` is appended to its config. */
function startWithEdges(
  options: { edit?: (config: string) => string; args?: string[]; env?: Record<string, string> } =
    {},
) {
  return startServer({
    command: "start",
    args: options.args ?? [],
    ...(options.env ? { env: options.env } : {}),
    prepare: async (dir) => {
      const file = `${dir}/config/rohas.toml`;
      const config = await Deno.readTextFile(file);
      const edited = (options.edit ?? ((c) => c))(config)
        .replace("[server]\n", "[server]\nworkers = 2\n");
      await Deno.writeTextFile(file, `${edited}\n[workbench]\napi_key = "${API_KEY}"\n`);
    },
  });
}

async function getJson(server: ServerProcess, path: string, init: RequestInit = {}) {
  const res = await fetch(`${server.url}${path}`, init);
  return { status: res.status, headers: res.headers, body: await res.json() };
}

/** Sends POST /bench and waits until the workbench has its trace. */
async function benchTrace(server: ServerProcess) {
  const res = await fetch(`${server.url}/bench`, {
    method: "POST",
    headers: JSON_HEADERS,
    body: JSON.stringify(BENCH),
  });
  await res.body?.cancel();
  const traceId = res.headers.get("x-rohas-trace-id")!;
  const trace = await eventually(async () => {
    const r = await fetch(`${server.url}/api/workbench/traces/${traceId}`, {
      headers: { "x-api-key": API_KEY },
    });
    const body = await r.json();
    return r.status === 200 ? body : undefined;
  }, `the trace ${traceId} in the workbench`);
  return trace.data ?? trace;
}

const BENCH = {
  name: "Ann",
  email: "ann@example.com",
  age: 31,
  score: 9.5,
  active: true,
  country: "NZ",
  joinedAt: "2024-01-02T03:04:05Z",
};

Deno.test("edges serve validated APIs, errors, middlewares and the other profiles' handlers", async () => {
  await using server = await startWithEdges();
  const ok = await getJson(server, "/bench", {
    method: "POST",
    headers: JSON_HEADERS,
    body: JSON.stringify(BENCH),
  });
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.body, { data: { ok: true, name: "Ann" } });
  assert.match(ok.headers.get("x-rohas-trace-id") ?? "", /^[0-9a-f-]{36}$/);
  const invalid = await getJson(server, "/bench", {
    method: "POST",
    headers: JSON_HEADERS,
    body: '{"name":1}',
  });
  assert.equal(invalid.status, 422);
  assert.ok(Array.isArray(invalid.body.details));
  assert.equal((await getJson(server, "/protected")).status, 401);
  assert.equal((await getJson(server, "/nowhere")).status, 404);
  // Spin has a profile of its own: it runs in the engine's Workers, and times out there with 504.
  const spin = await getJson(server, "/spin");
  assert.equal(spin.status, 504);
  assert.equal((await getJson(server, "/hello")).status, 200);
  assert.equal((await getJson(server, "/_rohas/ready")).body.status, "ready");
});

Deno.test("an API served by an edge publishes its triggers once each, through the engine", async () => {
  await using server = await startWithEdges();
  const id = await createUser(server);
  const keys = [`send_welcome_email:${id}`, `audit_user:${id}`, `count_onboarded:${id}`];
  const s = await eventually(async () => {
    const s = await stats(server.url);
    return keys.every((k) => (s[k] ?? 0) >= 1) ? s : undefined;
  }, "the events of the new user delivered");
  for (const key of keys) assert.equal(s[key], 1, key);
});

Deno.test("WebSockets through the edges: middlewares before the upgrade, broadcast to all", async () => {
  await using server = await startWithEdges();
  assert.equal(await rawUpgrade(server.port, "/ws/chat"), "HTTP/1.1 403 Forbidden");
  const url = server.url.replace("http", "ws") + "/ws/chat?token=secret";
  await using a = await WsClient.open(url);
  await using b = await WsClient.open(url);
  await using c = await WsClient.open(url);
  const isType = (type: string) => (m: Record<string, unknown>) => m.type === type;
  for (const client of [a, b, c]) await client.next(isType("welcome"));
  a.send({ text: "through-edges" });
  for (const client of [a, b, c]) {
    assert.equal((await client.next(isType("message"))).text, "through-edges");
  }
});

Deno.test("the traces of requests an edge served reach the workbench", async () => {
  await using server = await startWithEdges({ args: ["--workbench"] });
  const record = await benchTrace(server);
  assert.equal(record.entry_point, "Bench");
  assert.equal(record.status, "success");
  assert.equal(record.metadata.method, "POST");
  assert.equal(record.metadata.ip_address, "127.0.0.1");
  const denied = await fetch(`${server.url}/api/workbench/traces`);
  await denied.body?.cancel();
  assert.equal(
    denied.status,
    401,
    "the edge's own loopback address must not stand in for the client",
  );
});

Deno.test("an edge stuck in a loop is replaced and the others keep serving", async () => {
  // Without a profile of its own, Spin runs on the edges: the loop blocks the isolate it is in.
  const own = '[permissions.handlers.Spin]\nread = ["src"]\n';
  await using server = await startWithEdges({
    edit: (config) => {
      assert.ok(config.includes(own));
      return config.replace(own, "");
    },
  });
  // The stuck isolate cannot answer: its connection is closed when the edge is replaced.
  const stuck = await fetch(`${server.url}/spin`).then((r) => r.status, () => "closed");
  assert.notEqual(stuck, 200);
  await server.waitFor(/edge \d" restarted: it stopped responding/);
  for (let i = 0; i < 20; i++) {
    const res = await fetch(`${server.url}/hello`, { headers: { connection: "close" } });
    assert.equal(res.status, 200);
    await res.body?.cancel();
  }
});

Deno.test("SIGTERM drains a request in flight on an edge, then exits 0", async () => {
  const server = await startWithEdges();
  try {
    const inFlight = fetch(`${server.url}/slow?ms=600&tag=drain`);
    await eventually(async () => {
      const s = await stats(server.url);
      return s["slow:started:drain"] ? s : undefined;
    }, "the slow request started");
    const status = server.stop("SIGTERM");
    const res = await inFlight;
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { data: { slept: 600 } });
    assert.equal((await status).code, 0);
  } finally {
    await server[Symbol.asyncDispose]();
  }
});

Deno.test("the workbench's metrics sum the series of the edges and the engine", async () => {
  await using server = await startWithEdges({ args: ["--workbench"] });
  await assertRequestsCounted(server, 10);
});

/**
 * Sends `n` requests to POST /bench and waits until the workbench's metrics count exactly `total`
 * (these and the ones sent before).
 */
async function assertRequestsCounted(server: ServerProcess, n: number, total = n): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${server.url}/bench`, {
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify(BENCH),
    });
    await res.body?.cancel();
  }
  type Series = { name: string; labels: Record<string, string>; value: number };
  const requests = await eventually(async () => {
    const r = await fetch(`${server.url}/api/workbench/metrics`, {
      headers: { "x-api-key": API_KEY },
    });
    const { series } = await r.json() as { series: Series[] };
    const found = series.filter((s) =>
      s.name === "rohas_http_requests_total" && s.labels.route === "POST /bench"
    );
    return found.reduce((sum, s) => sum + s.value, 0) >= total ? found : undefined;
  }, `${total} requests counted`);
  assert.equal(requests.reduce((sum, s) => sum + s.value, 0), total);
  assert.equal(new Set(requests.map((s) => JSON.stringify(s.labels))).size, requests.length);
}

Deno.test("with a store one process owns (rocksdb), edges send their traces to the engine and count their metrics", async () => {
  await using server = await startWithEdges({
    args: ["--workbench"],
    edit: (config) => {
      const memory = '[telemetry]\ntype = "memory"';
      assert.ok(config.includes(memory));
      return config.replace(memory, '[telemetry]\ntype = "rocksdb"');
    },
  });
  const record = await benchTrace(server);
  assert.equal(record.entry_point, "Bench");
  assert.ok(record.duration_ms >= 0 && record.duration_ms < 1000, String(record.duration_ms));
  assert.equal(record.steps.length, 1);
  await assertRequestsCounted(server, 9, 10); // and the one benchTrace sent
});

Deno.test("the workbench's live stream shows the traces the edges record as they happen", async () => {
  await using server = await startWithEdges({ args: ["--workbench"] });
  const controller = new AbortController();
  const stream = await fetch(`${server.url}/api/workbench/stream`, {
    headers: { "x-api-key": API_KEY },
    signal: controller.signal,
  });
  assert.equal(stream.headers.get("content-type"), "text/event-stream");
  const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes(": connected")) text += (await reader.read()).value ?? "";
  // Several requests: the kernel spreads new connections over the edges.
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) {
    const res = await fetch(`${server.url}/bench`, {
      method: "POST",
      headers: { connection: "close", "content-type": "application/json" },
      body: JSON.stringify(BENCH),
    });
    await res.body?.cancel();
    ids.push(res.headers.get("x-rohas-trace-id")!);
  }
  // A trace that never comes fails the test after 20 s instead of hanging the suite.
  const deadline = setTimeout(() => controller.abort(), 20_000);
  try {
    while (!ids.every((id) => text.includes(`"id":"${id}"`))) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(deadline);
  }
  for (const id of ids) assert.ok(text.includes(`"id":"${id}"`), `trace ${id} streamed`);
  controller.abort();
  await reader.cancel().catch(() => {});
});

Deno.test("a second rohas start on a port in use is refused, never sharing it through reusePort", async () => {
  await using server = await startWithEdges();
  const out = await rohas(["start", "--port", String(server.port), server.dir], {
    cwd: server.dir,
    process: true,
  });
  assert.equal(out.code, 1);
  assert.match(out.stderr, new RegExp(`port ${server.port} is in use`));
  assert.equal((await getJson(server, "/hello")).status, 200);
});

Deno.test("with OTEL_DENO=true, an API call served on an edge and the event it causes in the engine are one OpenTelemetry trace", async () => {
  await using receiver = otlpReceiver();
  const server = await startWithEdges({ env: receiver.env });
  try {
    const id = await createUser(server);
    await eventually(async () => {
      const s = await stats(server.url);
      return (s[`send_welcome_email:${id}`] ?? 0) >= 1 ? s : undefined;
    }, "the UserCreated event handled");
  } finally {
    // Stopping flushes every process's exporter: the spans are all sent when it has exited.
    await server[Symbol.asyncDispose]();
  }
  const spans = receiver.spans;
  const kind = (s: OtlpSpan) => attribute(s, "rohas.entry_type");
  const api = spans.find((s) => s.name === "CreateUser" && kind(s) === "api");
  const event = spans.find((s) => s.name === "UserCreated" && kind(s) === "event");
  assert.ok(api && event, JSON.stringify(spans.map((s) => s.name)));
  assert.equal(event.traceId, api.traceId);
  assert.equal(event.parentSpanId, api.spanId);
});
