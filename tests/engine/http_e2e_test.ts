// `rohas dev` / `rohas start` as subprocesses, driven over real sockets on 127.0.0.1.
import assert from "node:assert/strict";
import { startServer } from "./_server.ts";

const JSON_HEADERS = { "content-type": "application/json" };

async function json(res: Response) {
  return { status: res.status, headers: res.headers, body: await res.json() };
}

Deno.test("rohas dev answers every D3 status with a JSON error body and a trace id", async () => {
  await using server = await startServer();
  const u = server.url;
  const bad = await json(
    await fetch(`${u}/users`, { method: "POST", headers: JSON_HEADERS, body: "{" }),
  );
  assert.equal(bad.status, 400);
  assert.equal(bad.body.trace_id, bad.headers.get("x-rohas-trace-id"));
  assert.equal((await json(await fetch(`${u}/missing`))).status, 404);
  const wrong = await json(await fetch(`${u}/users`, { method: "PUT" }));
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get("allow"), "POST");
  const big = await json(
    await fetch(`${u}/users`, { method: "POST", headers: JSON_HEADERS, body: "x".repeat(70_000) }),
  );
  assert.equal(big.status, 413);
  const invalid = await json(
    await fetch(`${u}/users`, {
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify({ name: "A" }),
    }),
  );
  assert.equal(invalid.status, 422);
  assert.deepEqual(invalid.body.details, [{
    path: "email",
    message: invalid.body.details[0].message,
  }]);
  const fail = await json(await fetch(`${u}/fail`));
  assert.deepEqual([fail.status, fail.body.error], [500, "Database exploded"]);
  const ok = await json(
    await fetch(`${u}/users`, {
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify({ name: "Ann", email: "ann@example.com", age: 30 }),
    }),
  );
  assert.equal(ok.status, 200);
  assert.equal(ok.body.data.name, "Ann");
});

Deno.test("rohas start hides a failing handler's message from clients", async () => {
  await using server = await startServer({ command: "start" });
  const fail = await json(await fetch(`${server.url}/fail`));
  assert.deepEqual([fail.status, fail.body.error], [500, "Internal server error"]);
  const teapot = await json(await fetch(`${server.url}/teapot`));
  assert.deepEqual([teapot.status, teapot.body.error], [418, "I'm a teapot"]);
});

Deno.test("path params are percent-decoded and repeated query keys kept as arrays", async () => {
  await using server = await startServer();
  const res = await json(await fetch(`${server.url}/users/caf%C3%A9%20%3F1?a=1&a=2&b=x+y`));
  assert.deepEqual(res.body.data, { id: "café ?1", queryParams: { a: ["1", "2"], b: "x y" } });
});

Deno.test("a handler without read permission fails with a hint naming the config key", async () => {
  await using server = await startServer();
  const res = await json(await fetch(`${server.url}/secret`));
  assert.equal(res.status, 500);
  assert.match(res.body.error, /\[permissions\.handlers\.ReadSecret\] read/);
});

Deno.test("an infinite loop is answered 504 while other handlers keep being served", async () => {
  await using server = await startServer();
  // Spin has a permission profile of its own ([permissions.handlers.Spin]), so its own Worker.
  let spinning = true;
  const spin = fetch(`${server.url}/spin`).finally(() => spinning = false);
  let served = 0;
  while (spinning) {
    const hello = await fetch(`${server.url}/hello`);
    assert.equal(hello.status, 200);
    await hello.body?.cancel();
    served++;
  }
  assert.ok(served > 10, `only ${served} requests served during the loop`);
  const res = await json(await spin);
  assert.equal(res.status, 504);
  assert.match(res.body.error, /timed out/);
  await server.waitFor(/Worker of profile "Spin" restarted/);
  const again = await json(await fetch(`${server.url}/hello`));
  assert.equal(again.status, 200);
});
