// The 101 answer of a WebSocket upgrade carries X-Rohas-Trace-Id, the id of the upgrade's trace.
import assert from "node:assert/strict";
import { startServer } from "./_server.ts";

/** Sends a raw upgrade request and returns the response head (status line and headers). */
async function upgradeHead(port: number, path: string): Promise<string> {
  using conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const request = [
    `GET ${path} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version: 13",
    "",
    "",
  ].join("\r\n");
  await conn.write(new TextEncoder().encode(request));
  const buf = new Uint8Array(8192);
  let text = "";
  while (!text.includes("\r\n\r\n")) {
    const n = await conn.read(buf);
    if (n === null) break;
    text += new TextDecoder().decode(buf.subarray(0, n));
  }
  return text.split("\r\n\r\n")[0]!;
}

Deno.test("a WebSocket 101 response carries the upgrade trace's id in X-Rohas-Trace-Id", async () => {
  await using server = await startServer({ args: ["--workbench"] });
  const head = await upgradeHead(server.port, "/ws/echo");
  const [status, ...lines] = head.split("\r\n");
  assert.equal(status, "HTTP/1.1 101 Switching Protocols");
  const header = lines.find((l) => l.toLowerCase().startsWith("x-rohas-trace-id:"));
  assert.ok(header, head);
  const id = header.slice(header.indexOf(":") + 1).trim();
  assert.match(id, /^[0-9a-f-]{36}$/);
  const res = await fetch(`${server.url}/api/workbench/traces/${id}`);
  assert.equal(res.status, 200);
  const trace = await res.json();
  assert.equal(trace.entry_type, "websocket");
  assert.equal(trace.entry_point, "Echo (upgrade)");
});
