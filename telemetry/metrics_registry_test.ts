import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { MetricsRegistry } from "./metrics_registry.ts";

const at = "2026-01-01T00:00:00.000Z";

Deno.test("a frozen label set and an equal plain one count in the same series", () => {
  const registry = new MetricsRegistry();
  const frozen = Object.freeze({ handler: "Bench", kind: "api" });
  for (let i = 0; i < 3; i++) {
    registry.record({
      name: "calls_total",
      kind: "counter",
      value: 1,
      labels: frozen,
      timestamp: at,
    });
  }
  registry.record({
    name: "calls_total",
    kind: "counter",
    value: 1,
    labels: { kind: "api", handler: "Bench" },
    timestamp: at,
  });
  assertEquals(registry.snapshot(), [
    { name: "calls_total", kind: "counter", labels: { handler: "Bench", kind: "api" }, value: 4 },
  ]);
});

Deno.test("one frozen label set under two metric names feeds two series", () => {
  const registry = new MetricsRegistry();
  const labels = Object.freeze({ handler: "Bench" });
  registry.record({ name: "a_total", kind: "counter", value: 2, labels, timestamp: at });
  registry.record({ name: "b_total", kind: "counter", value: 5, labels, timestamp: at });
  registry.record({ name: "a_total", kind: "counter", value: 1, labels, timestamp: at });
  assertEquals(registry.snapshot().map((s) => [s.name, s.value]), [["a_total", 3], ["b_total", 5]]);
});

Deno.test("samples alternating between frozen label sets and plain ones each count in their own series", () => {
  const registry = new MetricsRegistry();
  const ok = Object.freeze({ handler: "Bench", ok: "true" });
  const failed = Object.freeze({ handler: "Bench", ok: "false" });
  const plain = { handler: "Other", ok: "true" };
  for (const labels of [ok, ok, failed, ok, plain, failed, plain, ok]) {
    registry.record({ name: "calls_total", kind: "counter", value: 1, labels, timestamp: at });
  }
  plain.handler = "Changed";
  registry.record({ name: "calls_total", kind: "counter", value: 1, labels: plain, timestamp: at });
  assertEquals(registry.snapshot().map((s) => [s.labels.handler, s.labels.ok, s.value]), [
    ["Bench", "false", 2],
    ["Bench", "true", 4],
    ["Changed", "true", 1],
    ["Other", "true", 2],
  ]);
});
