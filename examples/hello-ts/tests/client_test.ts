// The example through its generated client (client/client.ts, `rohas codegen --client ts`), over
// real HTTP and WebSockets against `rohas dev`.
import assert from "node:assert/strict";
import { HttpError, RohasClient } from "../client/client.ts";
import { startExample } from "./_server.ts";

Deno.test("the generated client calls every kind of API and types the answers", async () => {
  await using server = await startExample();
  const client = new RohasClient({ baseUrl: server.url, headers: { "x-user-id": "u-1" } });
  assert.deepEqual(await client.hello(), { message: "Hello from Rohas" });
  const user = await client.createUser({ body: { name: "Ann", email: "ann@example.com" } });
  assert.equal(user.id, "u-1");
  assert.equal(user.name, "Ann");
  assert.deepEqual(await client.getUser({ params: { id: "café 1" } }), {
    id: "café 1",
    queryParams: {},
  });
  assert.deepEqual(await client.getFile({ params: { name: "a b.txt" } }, { query: { v: "2" } }), {
    name: "a b.txt",
    queryParams: { v: "2" },
  });
  const found = await client.searchUsers({ query: { q: "ann", limit: 5, tags: ["a", "b"] } });
  assert.deepEqual(found, { query: { q: "ann", limit: 5, tags: ["a", "b"] } });
});

Deno.test("a failed call throws HttpError with the status, details and trace id", async () => {
  await using server = await startExample();
  const client = new RohasClient({ baseUrl: server.url });
  await assert.rejects(
    // An untyped caller sends a wrong body: the server's 422 comes back as an HttpError.
    client.createUser({ body: { name: 1 } as never }),
    (error: unknown) => {
      assert.ok(error instanceof HttpError);
      assert.equal(error.status, 422);
      assert.equal(error.message, 'Request body does not match "CreateUserInput"');
      assert.ok(Array.isArray(error.details));
      assert.match(error.traceId ?? "", /^[0-9a-f-]{36}$/);
      return true;
    },
  );
  await assert.rejects(
    client.protected(),
    (e: unknown) => e instanceof HttpError && e.status === 401,
  );
  const authorized = new RohasClient({
    baseUrl: server.url,
    headers: () => ({ authorization: "Bearer ann" }),
  });
  assert.deepEqual(await authorized.protected(), { user: "ann" });
});

Deno.test("the generated client's typed WebSocket sends messages and receives replies", async () => {
  await using server = await startExample();
  const client = new RohasClient({ baseUrl: server.url });
  const chat = client.connectChat({ query: { token: "secret" } });
  await chat.opened;
  assert.equal((await chat.next() as { type: string }).type, "welcome");
  chat.send({ text: "hi" });
  assert.equal((await chat.next() as { text: string }).text, "hi");
  assert.equal((await chat.close()).code, 1000);
});
