import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { eventually, rawHttp, startWorkbenchApp } from "./_app.ts";

const REMOTE = { remoteAddr: { transport: "tcp" as const, hostname: "10.1.2.3", port: 5555 } };

// Response bodies are checked field by field below; `any` keeps those checks short.
// deno-lint-ignore no-explicit-any
async function getJson(url: string, init: RequestInit = {}): Promise<[number, any]> {
  const response = await fetch(url, init);
  return [response.status, await response.json()];
}

Deno.test("workbench API: loopback in dev needs no key, remote peers need the right one", async () => {
  await using app = await startWorkbenchApp({ apiKey: "s3cret-key" });
  const [status, snapshot] = await getJson(`${app.url}/api/workbench/snapshot`);
  assertEquals(status, 200);
  assert(snapshot.schema.total >= 1 && snapshot.handlers.total >= 10);
  // A remote client reaching the server by its address (a name would need [workbench] allowed_hosts).
  const url = "http://192.0.2.10:3000/api/workbench/system-metrics";
  const call = async (headers: Record<string, string>) => {
    const response = await app.engine.handler(new Request(url, { headers }), REMOTE);
    return [response.status, await response.json()] as const;
  };
  const [denied, body] = await call({});
  assertEquals([denied, typeof body.error], [401, "string"]);
  assertEquals((await call({ authorization: "Bearer wrong-key!" }))[0], 401);
  assertEquals((await call({ authorization: "Bearer s3cret-key" }))[0], 200);
  assertEquals((await call({ authorization: "ApiKey s3cret-key" }))[0], 200);
  assertEquals((await call({ "x-api-key": "s3cret-key" }))[0], 200);
});

Deno.test("workbench API: production asks loopback peers for the key too", async () => {
  await using app = await startWorkbenchApp({ apiKey: "k", mode: "production" });
  const response = await fetch(`${app.url}/api/workbench/endpoints`);
  assertEquals(response.status, 401);
  assertEquals(response.headers.get("content-type"), "application/json");
  await response.body?.cancel();
  const ok = await fetch(`${app.url}/api/workbench/endpoints`, { headers: { "x-api-key": "k" } });
  assertEquals(ok.status, 200);
  await ok.body?.cancel();
});

Deno.test("workbench API: an Origin outside allowed_origins gets 403, a listed one gets CORS", async () => {
  await using app = await startWorkbenchApp({ allowedOrigins: ["http://ok.test"] });
  const evil = await fetch(`${app.url}/api/workbench/endpoints`, {
    headers: { origin: "http://evil.test" },
  });
  assertEquals(evil.status, 403);
  assertEquals((await evil.json()).error, 'Origin "http://evil.test" is not allowed');
  const good = await fetch(`${app.url}/api/workbench/endpoints`, {
    headers: { origin: "http://ok.test" },
  });
  assertEquals(good.status, 200);
  assertEquals(good.headers.get("access-control-allow-origin"), "http://ok.test");
  await good.body?.cancel();
});

Deno.test("workbench API: a web page cannot use the key-less loopback access", async () => {
  await using app = await startWorkbenchApp();
  const response = await fetch(`${app.url}/api/workbench/events/UserCreated/trigger`, {
    method: "POST",
    headers: { origin: "http://attacker.test", "content-type": "application/json" },
    body: "{}",
  });
  assertEquals(response.status, 403);
  await response.body?.cancel();
  const same = await fetch(`${app.url}/api/workbench/endpoints`, { headers: { origin: app.url } });
  assertEquals(same.status, 200);
  await same.body?.cancel();
});

Deno.test("workbench API: schema routes are built from the parsed schema", async () => {
  await using app = await startWorkbenchApp();
  const api = `${app.url}/api/workbench`;
  const [, graph] = await getJson(`${api}/schema-graph`);
  const ids = new Set(graph.nodes.map((n: { id: string }) => n.id));
  for (
    const id of [
      "api:CreateUser",
      "event:UserCreated",
      "cron:Tick",
      "websocket:Chat",
      "model:User",
      "input:CreateUserInput",
      "type:Greeting",
      "handler:send_welcome_email",
    ]
  ) {
    assert(ids.has(id), `missing node ${id}`);
  }
  const edges = graph.edges.map((e: { source: string; target: string; relation: string }) =>
    `${e.source} ${e.relation} ${e.target}`
  );
  for (
    const e of [
      "api:CreateUser triggers event:UserCreated",
      "event:UserCreated handles handler:send_welcome_email",
      "api:CreateUser references input:CreateUserInput",
      "event:UserCreated triggers event:UserOnboarded",
      "cron:Tick triggers event:Ticked",
    ]
  ) {
    assert(edges.includes(e), `missing edge ${e}`);
  }
  const [, endpoints] = await getJson(`${api}/endpoints`);
  assertEquals(Object.keys(endpoints).sort(), ["apis", "crons", "events", "websockets"]);
  assertEquals(endpoints.apis.find((a: { name: string }) => a.name === "CreateUser"), {
    name: "CreateUser",
    method: "POST",
    path: "/users",
    body: "CreateUserInput",
    response: "User",
    triggers: ["UserCreated"],
    middlewares: [],
  });
  const [, input] = await getJson(`${api}/types/CreateUserInput`);
  assertEquals(input, {
    type: "object",
    properties: {
      name: { type: "string" },
      email: { type: "string" },
      age: { type: "integer" },
      tags: { type: "array", items: { type: "string" } },
    },
    required: ["name", "email"],
  });
  assertEquals((await getJson(`${api}/types/Greeting`))[1].properties, {
    message: { type: "string" },
  });
  assertEquals((await getJson(`${api}/types/DateTime`))[1], {
    type: "string",
    format: "date-time",
  });
  assertEquals((await getJson(`${api}/types/Nope`))[0], 404);
  const [, data] = await getJson(`${api}/data`);
  assert(data.schema_rows.length >= 1 && data.handler_rows[0].size.endsWith("B"));
  const [, system] = await getJson(`${api}/system-metrics`);
  assert(typeof system.cpu === "number" && system.ram.total_mb > 0);
  assertEquals((await getJson(`${api}/nope`))[0], 404);
});

Deno.test("workbench API: a request's trace appears with its child event traces and logs", async () => {
  await using app = await startWorkbenchApp();
  const api = `${app.url}/api/workbench`;
  const response = await fetch(`${app.url}/users`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "Ada", email: "ada@example.com" }),
  });
  assertEquals(response.status, 200);
  const traceId = response.headers.get("x-rohas-trace-id")!;
  await response.body?.cancel();
  await app.engine.idle();
  const [, traces] = await getJson(`${api}/traces?limit=50`);
  assert(traces.some((t: { id: string }) => t.id === traceId));
  const [, tree] = await getJson(`${api}/traces/${traceId}`);
  assertEquals([tree.entry_point, tree.status], ["CreateUser", "success"]);
  const children = tree.children.map((c: { entry_point: string }) => c.entry_point).sort();
  assert(children.includes("UserCreated") && children.includes("UserAudited"), children.join());
  assert(tree.logs.some((l: { message: string }) => l.message === "User created"));
  const [, limited] = await getJson(`${api}/traces?limit=1`);
  assertEquals(limited.length, 1);
  const [, filtered] = await getJson(`${api}/traces?type=event&q=UserCreated`);
  assert(
    filtered.length >= 1 && filtered.every((t: { entry_type: string }) => t.entry_type === "event"),
  );
  const [, logs] = await getJson(`${api}/logs?trace_id=${traceId}`);
  assertEquals(logs.map((l: { message: string }) => l.message), ["User created"]);
  assertEquals((await getJson(`${api}/traces/unknown-id`))[0], 404);
});

Deno.test("workbench API: the trace long-poll answers as soon as a new trace arrives", async () => {
  await using app = await startWorkbenchApp();
  const api = `${app.url}/api/workbench`;
  const first = await fetch(`${app.url}/hello`);
  const since = first.headers.get("x-rohas-trace-id")!;
  await first.body?.cancel();
  const poll = getJson(`${api}/traces/poll?since=${since}&timeout=20`);
  await (await fetch(`${app.url}/hello`)).body?.cancel();
  const [status, fresh] = await poll;
  assertEquals(status, 200);
  assert(fresh.length >= 1 && fresh.every((t: { id: string }) => t.id !== since));
  const [, empty] = await getJson(`${api}/logs/poll?since=9999-01-01T00:00:00Z&timeout=0`);
  assertEquals(empty, []);
});

Deno.test("workbench API: triggering an event publishes it through the bus", async () => {
  await using app = await startWorkbenchApp();
  const api = `${app.url}/api/workbench`;
  const post = (path: string, body: string, type = "application/json") =>
    getJson(`${api}${path}`, { method: "POST", headers: { "content-type": type }, body });
  const [status, body] = await post(
    "/events/OrderPlaced/trigger",
    JSON.stringify({ payload: { orderId: "o1" } }),
  );
  assertEquals([status, body.success, body.event, body.payload], [200, true, "OrderPlaced", {
    orderId: "o1",
  }]);
  await eventually("the event's trace", async () => {
    const [, traces] = await getJson(`${api}/traces?type=event`);
    return traces.find((t: { entry_point: string; status: string }) =>
      t.entry_point === "OrderPlaced" && t.status === "success"
    );
  });
  assertEquals((await post("/events/NoSuchEvent/trigger", "{}"))[0], 404);
  assertEquals((await post("/events/OrderPlaced/trigger", "{}", "text/plain"))[0], 415);
  assertEquals((await post("/events/OrderPlaced/trigger", "{oops"))[0], 400);
});

Deno.test("workbench API: dead letters are listed and replayed", async () => {
  await using app = await startWorkbenchApp();
  const api = `${app.url}/api/workbench`;
  const post = (path: string, body: unknown) =>
    getJson(`${api}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  await post("/events/AlwaysFails/trigger", { payload: { n: 1 } });
  const letters = await eventually("a dead letter", async () => {
    const [, list] = await getJson(`${api}/dead-letters?topic=AlwaysFails`);
    return list.length > 0 ? list : undefined;
  });
  assertEquals([letters[0].topic, letters[0].payload], ["AlwaysFails", { n: 1 }]);
  const [status, replayed] = await post("/dead-letters/replay", {
    topic: "AlwaysFails",
    ids: [letters[0].id],
  });
  assertEquals([status, replayed.replayed], [200, 1]);
  assertEquals((await post("/dead-letters/replay", {}))[0], 400);
  await eventually("the replayed letter dead again", async () => {
    const [, list] = await getJson(`${api}/dead-letters?topic=AlwaysFails`);
    return list.length > 0 ? list : undefined;
  });
  await app.engine.idle();
});

Deno.test("workbench API: a cron job runs now and unknown ones are 404", async () => {
  await using app = await startWorkbenchApp();
  const api = `${app.url}/api/workbench`;
  const [status, body] = await getJson(`${api}/crons/Tick/run`, { method: "POST" });
  assertEquals([status, body.success, body.outcome.ok], [200, true, true]);
  assertEquals((await getJson(`${api}/crons/Nope/run`, { method: "POST" }))[0], 404);
  await app.engine.idle();
  const [, metrics] = await getJson(`${api}/metrics`);
  assert(metrics.series.some((s: { name: string }) => s.name === "rohas_traces_total"));
});

Deno.test("workbench API: the event stream pushes traces and logs as they happen", async () => {
  await using app = await startWorkbenchApp();
  const controller = new AbortController();
  const response = await fetch(`${app.url}/api/workbench/stream`, { signal: controller.signal });
  assertEquals(response.headers.get("content-type"), "text/event-stream");
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  await (await fetch(`${app.url}/users`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "Bo", email: "bo@example.com" }),
  })).body?.cancel();
  let text = "";
  while (
    !(text.includes("event: trace") && text.includes('"CreateUser"') && text.includes("event: log"))
  ) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  assert(text.includes('"entry_point":"CreateUser"'));
  controller.abort();
  await reader.cancel().catch(() => {});
  await app.engine.idle();
});

Deno.test("the workbench page is served at /_rohas/ and never contains the API key", async () => {
  await using app = await startWorkbenchApp({ apiKey: "very-secret-key-42" });
  const page = await fetch(`${app.url}/_rohas/`);
  assertEquals(page.status, 200);
  assert(page.headers.get("content-type")!.startsWith("text/html"));
  const html = await page.text();
  assert(html.includes("app.js") && !html.includes("very-secret-key-42"));
  const script = await (await fetch(`${app.url}/_rohas/app.js`)).text();
  assert(script.length > 1000 && !script.includes("very-secret-key-42"));
  const missing = await fetch(`${app.url}/_rohas/nope.js`);
  assertEquals(missing.status, 404);
  await missing.body?.cancel();
});

Deno.test("workbench API: on rocksdb telemetry, ?limit keeps the newest traces", async () => {
  await using app = await startWorkbenchApp({ telemetryType: "rocksdb" });
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const response = await fetch(`${app.url}/hello`);
    ids.push(response.headers.get("x-rohas-trace-id")!);
    await response.body?.cancel();
    // Distinct start times make "newest" unambiguous.
    await new Promise((r) => setTimeout(r, 2));
  }
  await app.telemetry.flush();
  const [, traces] = await getJson(`${app.url}/api/workbench/traces?limit=2&type=api`);
  assertEquals(traces.map((t: { id: string }) => t.id), [ids[4], ids[3]]);
  const [, one] = await getJson(`${app.url}/api/workbench/traces/${ids[0]}`);
  assertEquals([one.id, one.status], [ids[0], "success"]);
});

Deno.test("workbench API: a DNS-rebinding page (forged Host and Origin, loopback peer) gets 403", async () => {
  await using app = await startWorkbenchApp();
  const port = new URL(app.url).port;
  const evil = { host: `evil.test:${port}`, origin: `http://evil.test:${port}` };
  const json = { "content-type": "application/json" };
  const attempts = [
    { path: "/api/workbench/snapshot" },
    {
      method: "POST",
      path: "/api/workbench/events/OrderPlaced/trigger",
      body: '{"payload":{"id":"o-1"}}',
    },
    { method: "POST", path: "/api/workbench/crons/Tick/run" },
    { path: "/_rohas/" },
  ];
  for (const attempt of attempts) {
    const res = await rawHttp(app.url, { ...attempt, headers: { ...evil, ...json } });
    assertEquals([attempt.path, res.status], [attempt.path, 403]);
    assert(res.body.includes(`Host \\"evil.test:${port}\\" is not allowed`), res.body);
  }
  // The same requests with the workbench's own Host and Origin are served.
  const own = { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` };
  for (const attempt of attempts) {
    const res = await rawHttp(app.url, { ...attempt, headers: { ...own, ...json } });
    assertEquals([attempt.path, res.status], [attempt.path, 200]);
  }
  const local = await rawHttp(app.url, {
    path: "/api/workbench/endpoints",
    headers: { host: `localhost:${port}` },
  });
  assertEquals(local.status, 200);
});

Deno.test("workbench API: adapter credentials never leave the process", async () => {
  await using app = await startWorkbenchApp();
  Object.assign(app.config.adapter.settings, {
    url: "amqp://rohas:hunter2-secret@mq.test:5672/%2f",
    password: "hunter2-secret",
    sasl: { username: "svc", password: "hunter2-secret" },
  });
  for (const path of ["data", "snapshot"]) {
    const response = await fetch(`${app.url}/api/workbench/${path}`);
    const text = await response.text();
    assertEquals(response.status, 200);
    assert(!text.includes("hunter2"), `${path} shows a secret: ${text.slice(0, 300)}`);
    const adapter = JSON.parse(text).config.adapter;
    assertEquals(adapter.url, "amqp://rohas:[redacted]@mq.test:5672/%2f");
    assertEquals(adapter.sasl, { username: "svc", password: "[redacted]" });
  }
});

Deno.test("workbench API: malformed percent-encoding is a 400, not a crash", async () => {
  await using app = await startWorkbenchApp();
  for (const path of ["traces/%E0%A4%A", "types/%zz", "events/%/trigger"]) {
    const method = path.endsWith("trigger") ? "POST" : "GET";
    const [status, body] = await getJson(`${app.url}/api/workbench/${path}`, { method });
    assertEquals([path, status], [path, 400]);
    assert(/^Malformed percent-encoding/.test(body.error), body.error);
  }
});

Deno.test("workbench API: a triggered payload nested deeper than 128 levels is a 400", async () => {
  await using app = await startWorkbenchApp();
  const deep = "[".repeat(5000) + "]".repeat(5000);
  const [status, body] = await getJson(`${app.url}/api/workbench/events/OrderPlaced/trigger`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: `{"payload":${deep}}`,
  });
  assertEquals([status, body.error], [400, "JSON body nests deeper than 128 levels"]);
});

Deno.test("workbench API: traces?until= pages back to older traces; snapshot lists middlewares", async () => {
  await using app = await startWorkbenchApp();
  const api = `${app.url}/api/workbench`;
  for (let i = 0; i < 3; i++) {
    await (await fetch(`${app.url}/hello`)).body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 5)); // Distinct start times to page by.
  }
  await app.telemetry.flush();
  const [, all] = await getJson(`${api}/traces?type=api`);
  assertEquals(all.length, 3);
  const [, older] = await getJson(`${api}/traces?type=api&until=${all[0].started_at}`);
  assertEquals(
    older.map((t: { id: string }) => t.id),
    all.slice(1).map((t: { id: string }) => t.id),
  );
  const [, snapshot] = await getJson(`${api}/snapshot`);
  const files = snapshot.middlewares.buckets.flatMap((b: { files: { relative_path: string }[] }) =>
    b.files.map((f) => f.relative_path)
  );
  assert(files.includes("src/middlewares/auth.ts"), files.join(", "));
});
