// The example's handlers called in this process through the test kit (`@rohas/cli/testing`; in
// this repository the kit is imported by path): the real routing, validation, middlewares, event
// bus and WebSocket hub, with what the handlers did recorded.
import assert from "node:assert/strict";
import { createTestApp } from "../../../testkit/mod.ts";
import { manifest } from "../src/generated/manifest.ts";

Deno.test("creating a user stores it, publishes UserCreated and runs its event handlers", async () => {
  await using app = await createTestApp({ manifest });
  const created = await app.request("POST", "/users", {
    headers: { "x-user-id": "kit-ann" },
    body: { name: "Ann", email: "ann@example.com" },
  });
  assert.equal(created.status, 200);
  assert.deepEqual(app.kvWrites[0], {
    op: "set",
    key: ["users", "kit-ann"],
    value: (created.body as { data: unknown }).data,
  });
  const topics = app.events.map((event) => `${event.topic} from ${event.source}`);
  assert.ok(topics.includes("UserCreated from api:CreateUser"), topics.join(", "));
  // The bus ran UserCreated's handlers, whose trigger published UserOnboarded.
  assert.ok(topics.includes("UserOnboarded from event:UserCreated"), topics.join(", "));
  const found = await app.request("GET", "/people/kit-ann");
  assert.equal((found.body as { data: { name: string } }).data.name, "Ann");
  assert.ok(
    app.logs.some((entry) => entry.handler === "CreateUser" && entry.message === "User created"),
  );
});

Deno.test("a body that does not match its input type is refused before the handler runs", async () => {
  await using app = await createTestApp({ manifest });
  const refused = await app.request("POST", "/users", { body: { name: 7 } });
  assert.equal(refused.status, 422);
  assert.deepEqual(app.events, []);
  assert.deepEqual(app.kvWrites, []);
});

Deno.test("the auth middleware refuses a call without a token and passes the caller on", async () => {
  await using app = await createTestApp({ manifest });
  assert.equal((await app.request("GET", "/protected")).status, 401);
  const allowed = await app.request("GET", "/protected", {
    headers: { authorization: "Bearer ann" },
  });
  assert.deepEqual(allowed.body, { data: { user: "ann" } });
});

Deno.test("an event published by the test runs its handlers and their triggers", async () => {
  await using app = await createTestApp({ manifest });
  const user = {
    id: "kit-bo",
    name: "Bo",
    email: "bo@example.com",
    age: null,
    createdAt: "2026-01-01T00:00:00Z",
  };
  await app.publish("UserCreated", user);
  assert.ok(
    app.kvWrites.some((write) => write.op === "set" && write.key.join("/") === "audited/kit-bo"),
    "audit_user wrote its entry",
  );
  assert.deepEqual(app.events.map((event) => event.topic), ["UserCreated", "UserOnboarded"]);
});

Deno.test("twenty quick edits of one profile are indexed once, with the last edit (debounce)", async () => {
  await using app = await createTestApp({ manifest });
  const user = {
    id: "kit-cy",
    email: "cy@example.com",
    age: null,
    createdAt: "2026-01-01T00:00:00Z",
  };
  for (let n = 0; n < 20; n++) await app.publish("ProfileEdited", { ...user, name: `Cy ${n}` });
  const indexed = () => app.kvWrites.filter((w) => w.key.join("/") === "profiles/kit-cy");
  // The run comes 300 ms after the last edit: wait for it, then as long again for a second one.
  const deadline = Date.now() + 10_000;
  while (indexed().length === 0 && Date.now() < deadline) await pause(20);
  await pause(300);
  assert.deepEqual(indexed().map((w) => w.op === "set" && w.value), ["Cy 19"]);
});

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

Deno.test("a cron job run by the test reads and writes state.kv and publishes its trigger", async () => {
  await using app = await createTestApp({ manifest });
  await app.kv.set(["users", "seeded"], { id: "seeded" });
  app.clear();
  const outcome = await app.runCron("Tick");
  assert.equal(outcome.ok, true);
  assert.deepEqual(app.kvWrites, [{ op: "set", key: ["cron", "users_seen"], value: 1 }]);
  assert.deepEqual(app.events.map((event) => event.topic), ["Ticked"]);
});

Deno.test("a chat message passes the WebSocket middleware and is broadcast to every client", async () => {
  await using app = await createTestApp({ manifest });
  await assert.rejects(app.connect("/ws/chat"));
  const ann = await app.connect("/ws/chat?token=secret");
  const bob = await app.connect("/ws/chat?token=secret");
  await ann.next();
  await bob.next();
  ann.send({ text: "hi" });
  const received = await bob.next() as { type: string; text: string };
  assert.deepEqual([received.type, received.text], ["message", "hi"]);
  assert.ok(app.sockets.some((sent) => sent.kind === "broadcast" && sent.endpoint === "Chat"));
});

Deno.test("an order schedules a delayed reminder that paying cancels", async () => {
  await using app = await createTestApp({ manifest });
  await app.request("POST", "/orders", { body: { orderId: "kit-o1", amount: 3 } });
  const [reminder] = await app.delayed();
  assert.deepEqual(
    { event: reminder?.event, key: reminder?.key, handler: reminder?.handler },
    { event: "OrderReminder", key: "kit-o1", handler: "all" },
  );
  assert.ok(Date.parse(reminder!.dueAt) > Date.now(), "due later, not now");
  assert.equal((await app.request("POST", "/orders/kit-o1/pay")).status, 200);
  assert.deepEqual(await app.delayed(), [], "paying cancelled it");
  assert.equal(await app.fireDelayed(), 0);
  assert.ok(!app.events.some((event) => event.topic === "OrderReminder"));
});

Deno.test("an unpaid order's reminder reaches remind_order, and escalate_order after its delay", async () => {
  await using app = await createTestApp({ manifest });
  await app.request("POST", "/orders", { body: { orderId: "kit-o2", amount: 3 } });
  // The reminder, then the delivery held for escalate_order (`on escalate_order { delay: 1s }`).
  assert.equal(await app.fireDelayed(), 2);
  const reminders = app.events.filter((event) => event.topic === "OrderReminder");
  assert.equal(reminders.length, 1);
  assert.ok(
    app.logs.some((entry) =>
      entry.handler === "remind_order" && entry.message === "Order still unpaid: reminder sent"
    ),
  );
  assert.deepEqual(await app.delayed(), []);
});
