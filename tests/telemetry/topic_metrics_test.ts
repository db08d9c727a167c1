// Per-topic event metrics (published, delivered, retried, dead-lettered) travel from the event bus
// through the engine's own wiring (createApp) into the telemetry store and the live registry.
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { createApp } from "../../mod.ts";
import { manifest } from "../../examples/hello-ts/src/generated/manifest.ts";
import { loadConfig } from "../../project/mod.ts";
import { createTelemetry } from "../../telemetry/mod.ts";
import type { MetricSample } from "../../telemetry/mod.ts";

const ROOT = fileURLToPath(new URL("../../examples/hello-ts", import.meta.url));

function count(samples: MetricSample[], name: string, topic: string): number {
  return samples.filter((s) => s.name === name && s.labels.topic === topic).length;
}

Deno.test("per-topic published, delivered, retried and dead-lettered counts reach the store", async () => {
  const { config } = await loadConfig(ROOT, { env: {} });
  const telemetry = await createTelemetry({ ...config.telemetry, type: "memory" }, {
    root: ROOT,
    otel: false,
  });
  const app = await createApp({
    manifest,
    root: ROOT,
    config,
    mode: "dev",
    cron: false,
    telemetry,
  });
  try {
    for (const event of ["OrderPlaced", "AlwaysFails"]) {
      const res = await app.handler(
        new Request(`http://app.test/emit/${event}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ payload: { n: 1 } }),
        }),
      );
      assertEquals(res.status, 200);
      await res.body?.cancel();
    }
    const deadline = Date.now() + 15_000;
    let samples: MetricSample[] = [];
    while (count(samples, "rohas_events_dead_lettered_total", "AlwaysFails") === 0) {
      assert(Date.now() < deadline, "AlwaysFails was never dead-lettered");
      await new Promise((r) => setTimeout(r, 20));
      samples = await telemetry.samples({ limit: 1000 });
    }
    const attempts = config.adapter.max_attempts;
    assertEquals([
      count(samples, "rohas_events_published_total", "OrderPlaced"),
      count(samples, "rohas_events_delivered_total", "OrderPlaced"),
      count(samples, "rohas_events_published_total", "AlwaysFails"),
      count(samples, "rohas_events_retried_total", "AlwaysFails"),
      count(samples, "rohas_events_dead_lettered_total", "AlwaysFails"),
      count(samples, "rohas_events_delivered_total", "AlwaysFails"),
    ], [1, 1, 1, attempts - 1, 1, 0]);
    const live = telemetry.exposition();
    assert(live.includes("rohas_events_dead_lettered_total{"), live);
  } finally {
    await app.close();
    await telemetry.close();
  }
});
