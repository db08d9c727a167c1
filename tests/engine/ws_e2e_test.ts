// WebSockets over a real server: middlewares before the upgrade, broadcast, validation, effects.
import assert from "node:assert/strict";
import { eventually, startServer, stats } from "./_server.ts";
import { rawUpgrade, WsClient } from "./_ws_client.ts";

const isType = (type: string) => (m: Record<string, unknown>) => m.type === type;

Deno.test("a WebSocket middleware rejects before the upgrade with its HTTP status", async () => {
  await using server = await startServer();
  assert.equal(await rawUpgrade(server.port, "/ws/chat"), "HTTP/1.1 403 Forbidden");
  assert.equal(
    await rawUpgrade(server.port, "/ws/chat?token=secret"),
    "HTTP/1.1 101 Switching Protocols",
  );
});

Deno.test("broadcast: true sends a handler's reply to all three connected clients", async () => {
  await using server = await startServer();
  const url = server.url.replace("http", "ws") + "/ws/chat?token=secret";
  await using a = await WsClient.open(url);
  await using b = await WsClient.open(url);
  await using c = await WsClient.open(url);
  for (const client of [a, b, c]) await client.next(isType("welcome"));
  a.send({ text: "hello-all" });
  for (const client of [a, b, c]) {
    const m = await client.next(isType("message"));
    assert.equal(m.text, "hello-all");
  }
  // The message's schema trigger ran with its setPayload value, once.
  const s = await eventually(async () => {
    const s = await stats(server.url);
    return s["record_chat:hello-all"] ? s : undefined;
  }, "ChatPosted delivered");
  assert.equal(s["record_chat:hello-all"], 1);
});

Deno.test("an invalid message gets an error frame and the connection stays open", async () => {
  await using server = await startServer();
  await using ws = await WsClient.open(server.url.replace("http", "ws") + "/ws/chat?token=secret");
  ws.send({ text: 42 });
  const error = await ws.next((m) => typeof m.error === "string");
  assert.deepEqual(error.details, [{
    path: "text",
    message: (error.details as { message: string }[])[0]!.message,
  }]);
  ws.send("not json at all");
  await ws.next((m) =>
    typeof m.error === "string" &&
    ws.messages.filter((x) => (x as { error?: string }).error).length === 2
  );
  ws.send({ text: "still-here" });
  assert.equal((await ws.next(isType("message"))).text, "still-here");
});

Deno.test("a reply goes to the sender, state.send effects are delivered, text is wrapped", async () => {
  await using server = await startServer();
  await using ws = await WsClient.open(server.url.replace("http", "ws") + "/ws/echo");
  ws.send("plain text");
  const echo = await ws.next((m) => "echo" in m);
  assert.deepEqual(echo.echo, { data: "plain text" });
  await ws.next((m) => m.note === "sent through state.send");
  ws.send({ n: 1 });
  assert.deepEqual((await ws.next((m) => JSON.stringify(m.echo) === '{"n":1}')).echo, { n: 1 });
});

Deno.test("closing a connection runs onDisconnect with a normal close code", async () => {
  await using server = await startServer();
  const ws = await WsClient.open(server.url.replace("http", "ws") + "/ws/chat?token=secret");
  await ws.next(isType("welcome"));
  const closed = await ws.close();
  assert.equal(closed.code, 1000);
  await eventually(async () => (await stats(server.url))["chat_disconnect"], "onDisconnect ran");
});

Deno.test("a failing connect handler closes the connection with 1011 and an error frame", async () => {
  await using server = await startServer();
  const ws = new WsClient(server.url.replace("http", "ws") + "/ws/fragile");
  const closed = await ws.closed;
  assert.equal(closed.code, 1011);
  assert.match(String((ws.messages[0] as { error?: string })?.error), /Cannot accept connections/);
});

Deno.test("each WebSocket phase is a trace: upgrade, connect, message, disconnect", async () => {
  await using server = await startServer({ args: ["--workbench"] });
  const ws = await WsClient.open(server.url.replace("http", "ws") + "/ws/chat?token=secret");
  await ws.next(isType("welcome"));
  ws.send({ text: "traced" });
  await ws.next(isType("message"));
  await ws.close();
  const names = await eventually(async () => {
    const traces: { entry_point: string; entry_type: string; status: string }[] =
      await (await fetch(`${server.url}/api/workbench/traces?limit=100`)).json();
    const phases = traces.filter((t) => t.entry_type === "websocket" && t.status !== "running")
      .map((t) => t.entry_point).sort();
    return phases.length >= 4 ? phases : undefined;
  }, "the four phase traces");
  assert.deepEqual(names, [
    "Chat (connect)",
    "Chat (disconnect)",
    "Chat (message)",
    "Chat (upgrade)",
  ]);
});
