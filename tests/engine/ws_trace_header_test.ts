// The 101 answer of a WebSocket upgrade carries X-Rohas-Trace-Id, the id of the upgrade's trace.
import assert from "node:assert/strict";
import { startServer } from "./_server.ts";
import { upgradeHead } from "./_ws_client.ts";

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
