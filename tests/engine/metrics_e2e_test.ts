// `[telemetry] type = "prometheus"`: the engine serves GET /metrics in the Prometheus text format.
import assert from "node:assert/strict";
import { startServer } from "./_server.ts";

async function usePrometheus(dir: string): Promise<void> {
  const file = `${dir}/config/rohas.toml`;
  const text = await Deno.readTextFile(file);
  await Deno.writeTextFile(file, text.replace('type = "memory"\n\n#', 'type = "prometheus"\n\n#'));
}

Deno.test("GET /metrics answers in the Prometheus text format after a request", async () => {
  await using server = await startServer({ prepare: usePrometheus });
  await server.waitFor(/telemetry prometheus/);
  const hello = await fetch(`${server.url}/hello`);
  assert.equal(hello.status, 200);
  await hello.body?.cancel();
  const res = await fetch(`${server.url}/metrics`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const text = await res.text();
  assert.match(text, /^# TYPE \w+ (counter|gauge|histogram)$/m);
  const helloSeries = text.split("\n").filter((l) => !l.startsWith("#") && l.includes('"Hello"'));
  assert.ok(helloSeries.length > 0, `no series of the Hello handler in:\n${text}`);
  for (const line of helloSeries) assert.match(line, /^\w+\{[^}]*\} [0-9.e+-]+$/);
});
