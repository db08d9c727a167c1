// Needs Debian's `prometheus` binary (scripts/services/install.sh); fails, does not skip, without it.
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import {
  createMetricsHandler,
  createPrometheusStore,
  createRecorder,
} from "../../telemetry/mod.ts";
import { freePort } from "../../testing/mod.ts";

async function poll<T>(what: string, check: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Timed out waiting for ${what}: ${String(last)}`);
}

Deno.test("a real Prometheus scrapes /metrics and can query the request counters", async () => {
  const telemetry = createRecorder(createPrometheusStore());
  for (let i = 0; i < 3; i++) {
    telemetry.startTrace({
      entryPoint: "Health",
      entryType: "api",
      metadata: { method: "GET", path: "/health" },
    }).end("success");
  }
  const metrics = createMetricsHandler(telemetry);
  await using target = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => (await metrics(req)) ?? new Response("not found", { status: 404 }),
  );
  const dir = await Deno.makeTempDir({ prefix: "rohas_prometheus_" });
  const webPort = freePort();
  await Deno.writeTextFile(
    `${dir}/prometheus.yml`,
    [
      "global:",
      "  scrape_interval: 1s",
      "scrape_configs:",
      "  - job_name: rohas",
      "    static_configs:",
      `      - targets: ["127.0.0.1:${target.addr.port}"]`,
    ].join("\n"),
  );
  const child = new Deno.Command("prometheus", {
    args: [
      `--config.file=${dir}/prometheus.yml`,
      `--storage.tsdb.path=${dir}/data`,
      `--web.listen-address=127.0.0.1:${webPort}`,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    const url = `http://127.0.0.1:${webPort}/api/v1/query?query=` +
      encodeURIComponent('rohas_http_requests_total{route="GET /health"}');
    const value = await poll("the scraped counter", async () => {
      const body = await (await fetch(url)).json();
      return body.data?.result?.[0]?.value?.[1] as string | undefined;
    });
    assertEquals(value, "3");
    const up = await (await fetch(`http://127.0.0.1:${webPort}/api/v1/query?query=up`)).json();
    assert(up.data.result.some((r: { value: string[] }) => r.value[1] === "1"));
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await telemetry.close();
    await Deno.remove(dir, { recursive: true });
  }
});
