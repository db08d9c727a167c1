import assert from "node:assert/strict";
import { parseTargets, targetLine } from "./_targets.ts";
import { dayCounts, daysMet, historyTable, type RecordedRun, verdictTable } from "./targets.ts";

Deno.test("target lines read back as printed, in either order of figure and verdict", () => {
  const output = [
    "machine: AMD EPYC x2",
    targetLine("rohas start / the fair ceiling >= 0.8x req/s", false, "x0.778"),
    "  cpu per request / bare Deno.serve: x1.303 (rounds 1.29–2.10)",
    targetLine("memory adapter API -> handler p50 < 0.5 ms", true, "p50 0.386 ms"),
    targetLine("events to an ordered: false handler >= 50000 events/s", false, "37187 events/s"),
    "target: the tree idle ≤ 150 MiB RSS: 135.6 MiB, met",
    "target: something odd",
  ].join("\n");
  assert.deepEqual(parseTargets(output), [
    { name: "rohas start / the fair ceiling >= 0.8x req/s", met: false, figure: "x0.778" },
    { name: "memory adapter API -> handler p50 < 0.5 ms", met: true, figure: "p50 0.386 ms" },
    {
      name: "events to an ordered: false handler >= 50000 events/s",
      met: false,
      figure: "37187 events/s",
    },
    { name: "the tree idle ≤ 150 MiB RSS", met: true, figure: "135.6 MiB" },
  ]);
});

function recorded(at: string, targets: [string, boolean, string][]): RecordedRun {
  return {
    at,
    machine: "machine: test",
    missing: [],
    lines: targets.map(([name, met, figure]) => targetLine(name, met, figure)),
  };
}

Deno.test("a target's days count each UTC day with a met run once", () => {
  const runs = [
    recorded("2026-12-07T10:00:00.000Z", [["a", true, "1"], ["b", false, "2"]]),
    recorded("2026-12-07T23:59:00.000Z", [["a", true, "1"], ["b", true, "2"]]),
    recorded("2026-12-08T00:01:00.000Z", [["a", false, "1"], ["b", true, "2"]]),
  ];
  assert.deepEqual(Object.fromEntries(daysMet(runs)), {
    a: ["2026-12-07"],
    b: ["2026-12-07", "2026-12-08"],
  });
  assert.deepEqual(verdictTable([runs[0]!, recorded("2026-12-08T01:00:00.000Z", [])]), [
    "a: met (1) | not measured",
    "b: no (2) | not measured",
  ]);
});

Deno.test("the history counts each target's runs by UTC day and says when three days met it", () => {
  const runs = [
    recorded("2026-12-07T10:00:00.000Z", [["a", true, "1"], ["b|c", false, "2"]]),
    recorded("2026-12-07T11:00:00.000Z", [["a", false, "1"]]),
    recorded("2026-12-08T09:00:00.000Z", [["a", true, "1"], ["b|c", true, "2"]]),
    recorded("2026-12-09T09:00:00.000Z", [["a", true, "1"]]),
  ];
  assert.deepEqual(dayCounts(runs).get("a"), [
    { day: "2026-12-07", met: 1, runs: 2 },
    { day: "2026-12-08", met: 1, runs: 1 },
    { day: "2026-12-09", met: 1, runs: 1 },
  ]);
  assert.deepEqual(historyTable(runs).slice(2), [
    "| a | 3 of 4 | 2026-12-07: 1 of 2; 2026-12-08: 1 of 1; 2026-12-09: 1 of 1 | yes |",
    "| b\\|c | 1 of 2 | 2026-12-07: 0 of 1; 2026-12-08: 1 of 1 | not yet (1) |",
  ]);
});
