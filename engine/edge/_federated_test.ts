import assert from "node:assert/strict";
import { expositionOf, mergeSeries } from "./_federated.ts";

Deno.test("mergeSeries adds up the processes' series and keeps the highest percentiles", () => {
  const merged = mergeSeries([
    [
      { name: "requests_total", kind: "counter", labels: { route: "GET /a" }, value: 3 },
      { name: "duration_ms", kind: "histogram", labels: {}, value: 30, count: 3, p50: 9, p99: 20 },
    ],
    [
      { name: "requests_total", kind: "counter", labels: { route: "GET /a" }, value: 2 },
      { name: "requests_total", kind: "counter", labels: { route: "GET /b" }, value: 1 },
      { name: "duration_ms", kind: "histogram", labels: {}, value: 10, count: 2, p50: 4, p99: 31 },
    ],
  ]);
  assert.deepEqual(merged, [
    { name: "duration_ms", kind: "histogram", labels: {}, value: 40, count: 5, p50: 9, p99: 31 },
    { name: "requests_total", kind: "counter", labels: { route: "GET /a" }, value: 5 },
    { name: "requests_total", kind: "counter", labels: { route: "GET /b" }, value: 1 },
  ]);
});

Deno.test("expositionOf writes one family per name, histograms as summaries", () => {
  const text = expositionOf(mergeSeries([[
    { name: "requests_total", kind: "counter", labels: { route: "GET /a" }, value: 5 },
    { name: "requests_total", kind: "counter", labels: { route: 'say "hi"' }, value: 1 },
    { name: "duration_ms", kind: "histogram", labels: {}, value: 40, count: 5, p50: 9, p99: 31 },
  ]]));
  assert.equal(
    text,
    [
      "# HELP duration_ms Rohas histogram duration_ms",
      "# TYPE duration_ms summary",
      'duration_ms{quantile="0.5"} 9',
      'duration_ms{quantile="0.99"} 31',
      "duration_ms_sum 40",
      "duration_ms_count 5",
      "# HELP requests_total Rohas counter requests_total",
      "# TYPE requests_total counter",
      'requests_total{route="GET /a"} 5',
      'requests_total{route="say \\"hi\\""} 1',
      "",
    ].join("\n"),
  );
});
