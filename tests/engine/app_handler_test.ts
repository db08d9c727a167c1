// app.handler() without a socket: the bundled example served in-process from its manifest.
import assert from "node:assert/strict";
import { fromFileUrl } from "./_helpers.ts";
import { createApp } from "../../mod.ts";
import { MIDDLEWARE_REJECTION_SPAN } from "../../engine/mod.ts";
import { manifest } from "../../examples/hello-ts/src/generated/manifest.ts";
import { loadConfig } from "../../project/mod.ts";
import { createMemoryStore, createRecorder } from "../../telemetry/mod.ts";

const root = fromFileUrl(new URL("../../examples/hello-ts/", import.meta.url));
const JSON_HEADERS = { "content-type": "application/json" };

async function openApp(mode: "dev" | "production" = "dev") {
  const { config } = await loadConfig(root, { env: {} });
  const app = await createApp({ manifest, root, config, mode, cron: false });
  return Object.assign(app, { [Symbol.asyncDispose]: () => app.close() });
}

function call(
  app: { handler: (r: Request) => Promise<Response> },
  path: string,
  init?: RequestInit,
) {
  return app.handler(new Request(`http://app.test${path}`, init));
}

Deno.test("app.handler() serves a GET route with a trace id header", async () => {
  await using app = await openApp();
  const res = await call(app, "/hello");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("x-rohas-trace-id") ?? "", /^[0-9a-f-]{36}$/);
  assert.deepEqual(await res.json(), { data: { message: "Hello from Rohas" } });
});

Deno.test("app.handler() decodes path params and keeps repeated query keys", async () => {
  await using app = await openApp();
  const res = await call(app, "/users/a%3Fb%20c?tag=x&tag=y&q=caf%C3%A9+au+lait");
  assert.deepEqual(await res.json(), {
    data: { id: "a?b c", queryParams: { tag: ["x", "y"], q: "café au lait" } },
  });
  const colon = await call(app, "/files/r%C3%A9sum%C3%A9.pdf");
  assert.equal((await colon.json()).data.name, "résumé.pdf");
});

Deno.test("app.handler() answers 404, 405 with Allow, and HEAD like GET without a body", async () => {
  await using app = await openApp();
  const missing = await call(app, "/nowhere");
  assert.equal(missing.status, 404);
  const body = await missing.json();
  assert.equal(typeof body.error, "string");
  assert.equal(body.trace_id, missing.headers.get("x-rohas-trace-id"));
  const wrong = await call(app, "/hello", { method: "DELETE" });
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get("allow"), "GET, HEAD");
  await wrong.body?.cancel();
  const head = await call(app, "/hello", { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.body, null);
  const slash = await call(app, "/hello/");
  assert.equal(slash.status, 404);
  await slash.body?.cancel();
});

Deno.test("app.handler() rejects malformed JSON with 400 and invalid bodies with 422 details", async () => {
  await using app = await openApp();
  const bad = await call(app, "/users", { method: "POST", headers: JSON_HEADERS, body: "{nope" });
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error, /^Malformed JSON body/);
  const invalid = await call(app, "/users", {
    method: "POST",
    headers: JSON_HEADERS,
    body: JSON.stringify({ name: 5, tags: ["a", 2] }),
  });
  assert.equal(invalid.status, 422);
  const json = await invalid.json();
  assert.deepEqual(json.details.map((d: { path: string }) => d.path), ["email", "name", "tags[1]"]);
  const utf = await call(app, "/users", { method: "POST", body: new Uint8Array([0xff, 0xfe]) });
  assert.equal(utf.status, 400);
  await utf.body?.cancel();
  const empty = await call(app, "/users", { method: "POST" });
  assert.equal(empty.status, 422);
  await empty.body?.cancel();
});

Deno.test("app.handler() answers 413 for a body over [server] max_body_bytes", async () => {
  await using app = await openApp();
  const big = JSON.stringify({ name: "x".repeat(70_000), email: "a@b.c" });
  const declared = await call(app, "/users", { method: "POST", headers: JSON_HEADERS, body: big });
  assert.equal(declared.status, 413);
  await declared.body?.cancel();
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < 10; i++) c.enqueue(new Uint8Array(10_000).fill(32));
      c.close();
    },
  });
  const streamed = await call(app, "/users", { method: "POST", body: stream });
  assert.equal(streamed.status, 413);
  await streamed.body?.cancel();
});

Deno.test("app.handler() maps HttpError to its status and shows handler errors only in dev", async () => {
  await using dev = await openApp("dev");
  const teapot = await call(dev, "/teapot");
  assert.equal(teapot.status, 418);
  assert.deepEqual(await teapot.json().then((j) => [j.error, j.details]), [
    "I'm a teapot",
    { brew: "tea" },
  ]);
  const failDev = await call(dev, "/fail");
  assert.equal(failDev.status, 500);
  assert.equal((await failDev.json()).error, "Database exploded");
  await using prod = await openApp("production");
  const failProd = await call(prod, "/fail");
  assert.equal(failProd.status, 500);
  assert.equal((await failProd.json()).error, "Internal server error");
});

Deno.test("app.handler() runs middlewares: reject with their status, or modify the query", async () => {
  await using app = await openApp();
  const denied = await call(app, "/protected");
  assert.equal(denied.status, 401);
  assert.equal((await denied.json()).error, "Missing bearer token");
  const ok = await call(app, "/protected", { headers: { authorization: "Bearer ann" } });
  assert.deepEqual(await ok.json(), { data: { user: "ann" } });
});

Deno.test("app.handler() returns a handler's Response as is, with CORS and trace headers", async () => {
  await using app = await openApp();
  const res = await call(app, "/raw", { headers: { origin: "http://ui.test" } });
  assert.equal(res.status, 201);
  assert.equal(res.headers.get("x-custom"), "yes");
  // Permissive CORS: any origin, so the answer neither echoes the Origin nor varies by it.
  assert.equal(res.headers.get("access-control-allow-origin"), "*");
  assert.equal(res.headers.get("vary"), null);
  assert.equal(await res.text(), "made by hand");
  const preflight = await call(app, "/users", {
    method: "OPTIONS",
    headers: { origin: "http://ui.test", "access-control-request-headers": "content-type" },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get("access-control-allow-origin"), "*");
  assert.equal(preflight.headers.get("access-control-allow-headers"), "content-type");
});

Deno.test("app.handler() adds CORS to JSON answers but leaves /_rohas/ and /api/workbench/ alone", async () => {
  await using app = await openApp();
  const origin = { origin: "http://ui.test" };
  const hello = await call(app, "/hello", { headers: origin });
  assert.equal(hello.headers.get("access-control-allow-origin"), "*");
  assert.equal(hello.headers.get("vary"), null);
  assert.equal(hello.headers.get("access-control-expose-headers"), "X-Rohas-Trace-Id");
  await hello.body?.cancel();
  const health = await call(app, "/_rohas/health", { headers: origin });
  assert.equal(health.status, 200);
  assert.equal(health.headers.get("access-control-allow-origin"), null);
  assert.match(health.headers.get("x-rohas-trace-id") ?? "", /^[0-9a-f-]{36}$/);
  await health.body?.cancel();
  for (const path of ["/api/workbench/schema", "/_rohas/"]) {
    const preflight = await call(app, path, { method: "OPTIONS", headers: origin });
    assert.notEqual(preflight.status, 204, path);
    assert.equal(preflight.headers.get("access-control-allow-origin"), null, path);
    await preflight.body?.cancel();
  }
});

Deno.test("app.handler() serves /_rohas/health and /_rohas/ready", async () => {
  await using app = await openApp();
  assert.deepEqual(await (await call(app, "/_rohas/health")).json(), { status: "ok" });
  assert.deepEqual(await (await call(app, "/_rohas/ready")).json(), { status: "ready" });
});

Deno.test("app.handler() publishes an API's triggers once each before answering", async () => {
  await using app = await openApp();
  const id = crypto.randomUUID();
  const res = await call(app, "/users", {
    method: "POST",
    headers: { "x-user-id": id, "content-type": "application/json" },
    body: JSON.stringify({ name: "Ann", email: "ann@example.com" }),
  });
  assert.equal(res.status, 200);
  await res.body?.cancel();
  await app.engine.idle();
  const stats = (await (await call(app, "/stats")).json()).data;
  assert.equal(stats[`send_welcome_email:${id}`], 1);
  assert.equal(stats[`audit_user:${id}`], 1);
  assert.equal(stats[`count_audit:${id}`], 1);
  assert.equal(stats[`count_onboarded:${id}`], 1);
});

Deno.test("app.handler() builds a GET API's typed body from the query string", async () => {
  await using app = await openApp();
  const ok = await call(app, "/search?q=ann&limit=5&exact=true&tags=a&tags=b&other=x");
  assert.deepEqual(await ok.json(), {
    data: { query: { q: "ann", limit: 5, exact: true, tags: ["a", "b"] } },
  });
  const bad = await call(app, "/search?limit=many");
  assert.equal(bad.status, 422);
  assert.deepEqual((await bad.json()).details.map((d: { path: string }) => d.path), ["limit", "q"]);
});

Deno.test("a failing handler is logged with its trace id; its steps are in the trace", async () => {
  const { config } = await loadConfig(root, { env: {} });
  const telemetry = createRecorder(createMemoryStore());
  const app = await createApp({ manifest, root, config, mode: "dev", cron: false, telemetry });
  try {
    const res = await call(app, "/fail");
    await res.body?.cancel();
    const traceId = res.headers.get("x-rohas-trace-id")!;
    await telemetry.flush();
    const [log] = await telemetry.logs({ traceId });
    assert.equal(log?.level, "error");
    assert.equal(log?.message, 'Handler "Fail" failed (error): Database exploded');
    const trace = await telemetry.trace(traceId);
    assert.equal(trace?.status, "failed");
    assert.deepEqual(trace?.steps.map((s) => [s.name, s.success]), [["Fail", false]]);
  } finally {
    await app.close();
  }
});

Deno.test("a middleware's rejection is logged as a warning naming the middleware and the status", async () => {
  const { config } = await loadConfig(root, { env: {} });
  const telemetry = createRecorder(createMemoryStore());
  const app = await createApp({ manifest, root, config, mode: "dev", cron: false, telemetry });
  try {
    const res = await call(app, "/protected");
    await res.body?.cancel();
    assert.equal(res.status, 401);
    await telemetry.flush();
    const logs = await telemetry.logs({ traceId: res.headers.get("x-rohas-trace-id")! });
    assert.deepEqual(logs.map((l) => [l.level, l.span_name, l.message, l.fields.status]), [[
      "warn",
      MIDDLEWARE_REJECTION_SPAN,
      'Middleware "auth" rejected the request with 401: Missing bearer token',
      "401",
    ]]);
  } finally {
    await app.close();
  }
});
