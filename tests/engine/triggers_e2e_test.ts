// D6 trigger rules and D9 delivery over a real server: counts prove nothing is published twice.
import assert from "node:assert/strict";
import { copyDir, eventually, type ServerProcess, startServer, stats } from "./_server.ts";
import { rohas } from "../../testing/mod.ts";

async function post(server: ServerProcess, path: string, body: unknown, headers = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  assert.equal(res.status, 200, JSON.stringify(json));
  return json;
}

/** Waits until every key has its count. */
function counts(server: ServerProcess, expected: Record<string, number>) {
  return eventually(async () => {
    const s = await stats(server.url);
    return Object.entries(expected).every(([k, v]) => (s[k] ?? 0) >= v) ? s : undefined;
  }, `counts ${JSON.stringify(expected)}`);
}

async function createUser(server: ServerProcess) {
  const id = crypto.randomUUID();
  await post(server, "/users", { name: "Ann", email: "ann@example.com" }, { "x-user-id": id });
  return id;
}

Deno.test("an API publishes its manual trigger and its schema trigger exactly once each", async () => {
  await using server = await startServer();
  const first = await createUser(server);
  const keys = (id: string) => ({
    [`send_welcome_email:${id}`]: 1,
    [`audit_user:${id}`]: 1,
    [`count_audit:${id}`]: 1,
    [`count_onboarded:${id}`]: 1,
  });
  await counts(server, keys(first));
  // Per-topic order: a second request's events are delivered after any duplicate of the first.
  const second = await createUser(server);
  const s = await counts(server, keys(second));
  for (const [k, v] of Object.entries(keys(first))) assert.equal(s[k], v, k);
});

Deno.test("setPayload decides a schema trigger's payload", async () => {
  await using server = await startServer();
  await post(server, "/orders", { orderId: "order-7", amount: 12.5 });
  const s = await counts(server, { "record_order:order-7": 1 });
  assert.equal(s["record_order:none"], undefined);
});

Deno.test("a failing event handler is retried with attempt+1 until it succeeds", async () => {
  await using server = await startServer();
  await post(server, "/emit/FlakyEvent", { payload: { id: "f1" } });
  const s = await counts(server, { "flaky_handler:f1": 1 });
  assert.equal(s["flaky_handler:f1:attempts"], 3);
});

Deno.test("a handler that always fails is tried max_attempts times, then dead-lettered", async () => {
  await using server = await startServer();
  await post(server, "/emit/AlwaysFails", { payload: { id: "a1" } });
  await counts(server, { "always_fails:a1": 3 });
  await post(server, "/emit/AlwaysFails", { payload: { id: "a2" } });
  const s = await counts(server, { "always_fails:a2": 3 });
  assert.equal(s["always_fails:a1"], 3);
});

Deno.test("a NonRetriableError dead-letters at once", async () => {
  await using server = await startServer();
  await post(server, "/emit/DoomedEvent", { payload: { id: "d1" } });
  await counts(server, { "doomed_handler:d1": 1 });
  await post(server, "/emit/DoomedEvent", { payload: { id: "d2" } });
  const s = await counts(server, { "doomed_handler:d2": 1 });
  assert.equal(s["doomed_handler:d1"], 1);
});

Deno.test("events nobody handles are accepted, not errors", async () => {
  await using server = await startServer();
  await post(server, "/emit/NotInTheSchema", { payload: { id: "n2" } });
});

Deno.test("rohas cron run runs a job and waits for the events it triggered", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await copyDir(new URL("../../examples/hello-ts", import.meta.url).pathname, dir);
    const ok = await rohas(["cron", "run", "Tick", dir], { cwd: dir, process: true });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Cron job "Tick" ran \(trace [0-9a-f-]+\); 1 event deliveries handled/);
    const unknown = await rohas(["cron", "run", "Nope", dir], { cwd: dir, process: true });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Unknown cron job "Nope"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("published events carry the cause's trace id: delivery traces link to the API trace", async () => {
  await using server = await startServer({ args: ["--workbench"] });
  const res = await fetch(`${server.url}/users`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "Ann", email: "ann@example.com" }),
  });
  await res.body?.cancel();
  const apiTrace = res.headers.get("x-rohas-trace-id")!;
  const children = await eventually(async () => {
    const traces: { parent_id?: string; entry_point: string; status: string }[] =
      await (await fetch(`${server.url}/api/workbench/traces?limit=100`)).json();
    const linked = traces.filter((t) => t.parent_id === apiTrace && t.status !== "running");
    return linked.length >= 4 ? linked : undefined;
  }, "the event delivery traces");
  // UserCreated: its two handlers and the forwarder of its own triggers.
  assert.deepEqual(children.map((t) => t.entry_point).sort(), [
    "UserAudited",
    "UserCreated",
    "UserCreated",
    "UserCreated",
  ]);
});
