// What a client can send that the engine refuses: bodies a cross-site page may post without a
// preflight, JSON too deep to walk, path params that escape their segment, broken WebSocket
// frames, and connections that never finish their headers. Real servers, real sockets.
import assert from "node:assert/strict";
import { type ServerProcess, startServer } from "./_server.ts";
import { clientFrame, rawHttp, rawWebSocket, readToEnd } from "./_raw_http.ts";
import { WsClient } from "./_ws_client.ts";

const USER = JSON.stringify({ name: "Ann", email: "ann@example.com" });
const DEEP = `{"name":"Ann","email":"ann@example.com","tags":${"[".repeat(5000)}${
  "]".repeat(5000)
}}`;

async function post(server: ServerProcess, headers: Record<string, string>, body = USER) {
  const res = await rawHttp(server.url, { method: "POST", path: "/users", headers, body });
  return { status: res.status, error: res.status === 200 ? null : JSON.parse(res.body).error };
}

/** The same answers under `rohas dev` and `rohas start` (edges route there). */
async function checkClientInput(server: ServerProcess): Promise<void> {
  const plain = await post(server, { "content-type": "text/plain;charset=UTF-8" });
  assert.deepEqual(plain, {
    status: 415,
    error: 'Content-Type "text/plain;charset=UTF-8" is not supported: send application/json',
  });
  const form = await post(server, { "content-type": "application/x-www-form-urlencoded" });
  assert.equal(form.status, 415);
  // An untyped body (a Blob or ArrayBuffer a page may send without a preflight) from a browser.
  assert.deepEqual(await post(server, { origin: "https://attacker.test" }), {
    status: 415,
    error: "A request body from a browser needs Content-Type: application/json",
  });
  // Without Origin it is a script or curl: read as JSON, as the original did.
  assert.equal((await post(server, {})).status, 200);
  assert.equal((await post(server, { "content-type": "application/json" })).status, 200);
  assert.deepEqual(await post(server, { "content-type": "application/json" }, DEEP), {
    status: 400,
    error: "JSON body nests deeper than 128 levels",
  });
  for (const path of ["/files/..%2F..%2Fetc%2Fpasswd", "/files/..", "/users/a%2fb"]) {
    const res = await rawHttp(server.url, { path });
    assert.equal(res.status, 400, `${path}: ${res.body}`);
  }
  const slash = await rawHttp(server.url, { path: "/files/..%2F..%2Fetc%2Fpasswd" });
  assert.equal(JSON.parse(slash.body).error, 'Path parameter "name" contains an encoded "/" (%2F)');
  const fine = await rawHttp(server.url, { path: "/files/report%20v2.txt" });
  assert.equal(JSON.parse(fine.body).data.name, "report v2.txt");
}

Deno.test("rohas dev refuses non-JSON bodies (415), deep JSON and escaping path params (400)", async () => {
  await using server = await startServer();
  await checkClientInput(server);
});

Deno.test("rohas start gives the same answers to the same requests", async () => {
  await using server = await startServer({ command: "start" });
  await checkClientInput(server);
});

Deno.test("a WebSocket message nested too deep gets an error frame and the connection stays open", async () => {
  await using server = await startServer();
  await using client = await WsClient.open(`ws://127.0.0.1:${server.port}/ws/echo`);
  client.socket.send("[".repeat(5000) + "]".repeat(5000));
  const error = await client.next((m) => typeof m.error === "string");
  assert.equal(error.error, "Message nests deeper than 128 levels");
  client.socket.send(JSON.stringify({ text: "still here" }));
  await client.next((m) => JSON.stringify(m).includes("still here"));
});

Deno.test("a text frame that is not UTF-8 drops only its own connection, and its trace says why", async () => {
  await using server = await startServer({ args: ["--workbench"] });
  const conn = await rawWebSocket(server.url, "/ws/echo");
  await conn.write(clientFrame(0x1, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])));
  // Deno closes the socket without a close frame (so no 1007 is sent): see ARCHITECTURE.md.
  await readToEnd(conn);
  conn.close();
  await using other = await WsClient.open(`ws://127.0.0.1:${server.port}/ws/echo`);
  other.socket.send(JSON.stringify({ text: "unaffected" }));
  await other.next((m) => JSON.stringify(m).includes("unaffected"));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await fetch(`${server.url}/api/workbench/traces?type=websocket&limit=50`);
    const traces = await res.json() as { entry_point: string; metadata: Record<string, string> }[];
    const dropped = traces.find((t) => t.entry_point === "Echo (disconnect)" && t.metadata.dropped);
    if (dropped) {
      assert.match(dropped.metadata.dropped!, /UTF-8/i);
      break;
    }
    assert.ok(
      Date.now() < deadline,
      `No disconnect trace with "dropped": ${JSON.stringify(traces)}`,
    );
    await new Promise((r) => setTimeout(r, 50));
  }
});

Deno.test("200 connections that never finish their headers do not stop other clients being served", async () => {
  await using server = await startServer();
  const { port } = server;
  const held: Deno.TcpConn[] = [];
  try {
    for (let i = 0; i < 200; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await conn.write(new TextEncoder().encode("GET /hello HTTP/1.1\r\nhost: x\r\nx-slow: "));
      held.push(conn);
    }
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      const res = await fetch(`${server.url}/hello`);
      await res.body?.cancel();
      assert.equal(res.status, 200);
      assert.ok(performance.now() - started < 2_000, "a client waited behind the slow sockets");
    }
    // Deno.serve has no header-read timeout: the slow sockets are still open (ARCHITECTURE.md).
    const probe = held[0]!;
    const read = await Promise.race([
      probe.read(new Uint8Array(16)),
      new Promise<"open">((r) => setTimeout(() => r("open"), 1_000)),
    ]);
    assert.equal(read, "open");
  } finally {
    for (const conn of held) conn.close();
  }
  const after = await fetch(`${server.url}/hello`);
  await after.body?.cancel();
  assert.equal(after.status, 200);
});
