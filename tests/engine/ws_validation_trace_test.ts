// docs/compatibility.md#the-hello-world-example H10: an invalid WebSocket message is a failed
// message trace with a failed `validation` step, an error frame carrying that trace's id, and the
// connection stays open.
import assert from "node:assert/strict";
import { eventually, startServer } from "./_server.ts";
import { WsClient } from "./_ws_client.ts";

interface Step {
  name: string;
  success: boolean;
  error?: string;
}

interface Trace {
  entry_point: string;
  status: string;
  error?: string;
  steps: Step[];
}

Deno.test("an invalid WebSocket message records a failed validation step in a failed trace", async () => {
  await using server = await startServer({ args: ["--workbench"] });
  await using ws = await WsClient.open(server.url.replace("http", "ws") + "/ws/chat?token=secret");
  ws.send({ text: 42 });
  const frame = await ws.next((m) => typeof m.error === "string");
  assert.equal(typeof frame.trace_id, "string");
  const trace = await eventually(async () => {
    const res = await fetch(`${server.url}/api/workbench/traces/${frame.trace_id}`);
    if (res.status !== 200) return void await res.body?.cancel();
    const t: Trace = await res.json();
    return t.status === "running" ? undefined : t;
  }, "the failed message trace");
  assert.equal(trace.entry_point, "Chat (message)");
  assert.equal(trace.status, "failed");
  assert.deepEqual(trace.steps.map((s) => [s.name, s.success]), [["validation", false]]);
  assert.match(trace.steps[0]!.error ?? "", /^Message does not match "\w+": text /);
  assert.equal(trace.error, trace.steps[0]!.error);
  ws.send({ text: "still-open" });
  assert.equal((await ws.next((m) => m.type === "message")).text, "still-open");
});
