// API -> event -> event is one trace tree in the workbench: delivery traces take the envelope's
// trace id and parent, so the workbench's `traces/{id}` tree nests them under the API request.
import assert from "node:assert/strict";
import { eventually, startServer } from "./_server.ts";

interface TraceNode {
  id: string;
  entry_point: string;
  entry_type: string;
  status: string;
  metadata?: Record<string, string>;
  children: TraceNode[];
}

function flatten(node: TraceNode, depth = 0): { node: TraceNode; depth: number }[] {
  return [{ node, depth }, ...node.children.flatMap((c) => flatten(c, depth + 1))];
}

Deno.test("an API request, its event and the event its triggers forward form one trace tree", async () => {
  await using server = await startServer({ args: ["--workbench"] });
  const res = await fetch(`${server.url}/users`, {
    method: "POST",
    headers: { "x-user-id": "tree-1", "content-type": "application/json" },
    body: JSON.stringify({ name: "Ann", email: "ann@example.com" }),
  });
  assert.equal(res.status, 200);
  await res.body?.cancel();
  const apiTrace = res.headers.get("x-rohas-trace-id")!;
  const tree = await eventually(async () => {
    const r = await fetch(`${server.url}/api/workbench/traces/${apiTrace}`);
    const t: TraceNode = await r.json();
    const done = flatten(t).filter(({ node }) => node.status !== "running");
    return done.some(({ node }) => node.entry_point === "UserOnboarded") ? t : undefined;
  }, "UserOnboarded in the API request's tree");
  const nodes = flatten(tree);
  assert.equal(nodes[0]!.node.entry_type, "api");
  const onboarded = nodes.find(({ node }) => node.entry_point === "UserOnboarded")!;
  assert.equal(onboarded.depth, 2);
  assert.equal(onboarded.node.metadata?.handler, "count_onboarded");
  const created = nodes.filter(({ node, depth }) =>
    depth === 1 && node.entry_point === "UserCreated"
  );
  assert.deepEqual(
    created.map(({ node }) => node.metadata?.handler).sort(),
    ["__triggers", "audit_user", "send_welcome_email"],
  );
  // The first handler's trace has the envelope's trace id itself; the others derive from it.
  const first = created.find(({ node }) => node.metadata?.handler === "send_welcome_email")!;
  for (const { node } of created) assert.ok(node.id.startsWith(first.node.id), node.id);
});

Deno.test("the trace id the workbench returns for a triggered event opens its delivery trace", async () => {
  await using server = await startServer({ args: ["--workbench"] });
  const res = await fetch(`${server.url}/api/workbench/events/OrderPlaced/trigger`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ payload: { id: "wb-1" } }),
  });
  assert.equal(res.status, 200);
  const { trace_id: traceId } = await res.json();
  assert.match(traceId, /^[0-9a-f-]{36}$/);
  const trace = await eventually(async () => {
    const r = await fetch(`${server.url}/api/workbench/traces/${traceId}`);
    if (r.status !== 200) return void await r.body?.cancel();
    const t: TraceNode = await r.json();
    return t.status === "success" ? t : undefined;
  }, "the delivery trace");
  assert.equal(trace.entry_point, "OrderPlaced");
  assert.equal(trace.metadata?.handler, "record_order");
});
