// Instances sharing one telemetry store (TimescaleDB on the PostgreSQL of scripts/services): the
// workbench of any instance shows every instance's traces, each marked with its instance id.
import assert from "node:assert/strict";
import { startCluster } from "./_instances.ts";

const PG = Deno.env.get("ROHAS_TEST_PG_URL") ?? "postgres://postgres@127.0.0.1:55432/postgres";
const KEY = "cluster-telemetry-key";

async function timescaleTelemetry(dir: string): Promise<void> {
  const file = `${dir}/config/rohas.toml`;
  const text = await Deno.readTextFile(file);
  await Deno.writeTextFile(
    file,
    text.replace('[telemetry]\ntype = "memory"', '[telemetry]\ntype = "timescaledb"'),
  );
}

async function workbench(url: string, path: string): Promise<unknown> {
  const response = await fetch(`${url}/api/workbench/${path}`, {
    headers: { authorization: `Bearer ${KEY}` },
  });
  const body = await response.json();
  assert.equal(response.status, 200, JSON.stringify(body));
  return body;
}

Deno.test({
  name:
    "the workbench of any instance shows the traces of every instance sharing a TimescaleDB store",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const tag = `tel${crypto.randomUUID().slice(0, 8)}`;
    await using cluster = await startCluster({
      adapter: "nats",
      instances: 2,
      args: ["--workbench"],
      prepare: timescaleTelemetry,
      // The store's address from the environment, as each instance of a deployment would get it.
      env: { ROHAS_TELEMETRY_URL: PG, ROHAS_WORKBENCH_API_KEY: KEY },
      envOf: (i) => ({ ROHAS_INSTANCE_ID: `${tag}-${i}` }),
    });
    const traceIds: string[] = [];
    for (const instance of cluster.instances) {
      const response = await fetch(`${instance.url}/jobs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ id: instance.id }),
      });
      await response.body?.cancel();
      assert.equal(response.status, 200);
      traceIds.push(response.headers.get("x-rohas-trace-id")!);
    }
    for (const reader of cluster.instances) {
      for (const [i, id] of traceIds.entries()) {
        // The recorder writes in batches: poll until the other instance's batch is in.
        const deadline = Date.now() + 10_000;
        let trace: { metadata?: Record<string, string> } | undefined;
        while (!trace && Date.now() < deadline) {
          const list = await workbench(reader.url, `traces?type=api&q=${tag}-${i}`) as {
            id: string;
            metadata?: Record<string, string>;
          }[];
          trace = list.find((t) => t.id === id);
          if (!trace) await new Promise((r) => setTimeout(r, 200));
        }
        assert.equal(trace?.metadata?.instance, `${tag}-${i}`, `instance ${reader.id} reads ${id}`);
      }
    }
  },
});
