/**
 * The conformance suite every {@linkcode TelemetryStore} must pass
 * (docs/design.md#pluggable-boundaries): newest-first queries that keep the newest under a limit,
 * lookups by id and parent, filters, and retention of all three signals. Run it from any test file
 * with {@linkcode storeConformance} inside a `Deno.test`; importing this module registers nothing.
 *
 * @module
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import type { LogEntry, MetricSample, TraceRecord } from "./model.ts";
import type { TelemetryStore } from "./store.ts";

/** A store under test and how to remove what it created. */
export interface StoreFixture {
  /** The store, open and empty. */
  store: TelemetryStore;
  /** Closes the store and deletes its data (directory, database, tables). */
  dispose(): Promise<void>;
}

/** Options of {@linkcode storeConformance}. */
export interface ConformanceOptions {
  /** Opens a fresh, empty store for one test. */
  open: () => Promise<StoreFixture>;
  /** Passed to each step. Default: the resource sanitizer on. */
  sanitizeResources?: boolean;
  /** Passed to each step. Default: the op sanitizer on. */
  sanitizeOps?: boolean;
}

const BASE = Date.parse("2026-01-01T00:00:00.000Z");

/** Builds a completed trace started `offsetMs` after a fixed base time.
 *
 * @param id the trace id
 * @param offsetMs start time relative to the base
 * @param extra fields to override
 * @returns the trace
 */
export function sampleTrace(
  id: string,
  offsetMs: number,
  extra: Partial<TraceRecord> = {},
): TraceRecord {
  return {
    id,
    entry_point: `Entry${id}`,
    entry_type: "api",
    bucket: "/x",
    status: "success",
    duration_ms: 3,
    started_at: new Date(BASE + offsetMs).toISOString(),
    completed_at: new Date(BASE + offsetMs + 3).toISOString(),
    steps: [{
      name: "h",
      path: "h",
      bucket: "h",
      handler_name: "h",
      duration_ms: 2,
      success: true,
      timestamp: new Date(BASE + offsetMs).toISOString(),
    }],
    ...extra,
  };
}

function sampleLog(i: number, extra: Partial<LogEntry> = {}): LogEntry {
  return {
    timestamp: new Date(BASE + i * 1000).toISOString(),
    level: i % 2 === 0 ? "info" : "error",
    target: "test",
    message: `m${i}`,
    fields: { i: String(i) },
    span_fields: {},
    ...extra,
  };
}

function sampleMetric(i: number, name = "requests_total"): MetricSample {
  return {
    name,
    kind: "counter",
    value: i,
    labels: { route: "/x" },
    timestamp: new Date(BASE + i * 1000).toISOString(),
  };
}

type Case = (store: TelemetryStore) => Promise<void>;

const CASES: Record<string, Case> = {
  "returns the newest traces first and a limit keeps the newest": async (store) => {
    const offsets = [5, 1, 9, 3, 7, 0, 8, 2, 6, 4];
    await store.writeTraces(offsets.map((o) => sampleTrace(`t${o}`, o * 1000)));
    assertEquals((await store.queryTraces({ limit: 3 })).map((t) => t.id), ["t9", "t8", "t7"]);
    assertEquals((await store.queryTraces()).length, 10);
  },
  "finds a trace by id and replaces it when written again": async (store) => {
    await store.writeTraces([sampleTrace("a", 0, { status: "running" })]);
    await store.writeTraces([sampleTrace("a", 0, { status: "failed", error: "Boom" })]);
    const found = await store.getTrace("a");
    assertEquals([found?.status, found?.error, found?.steps.length], ["failed", "Boom", 1]);
    assertEquals((await store.queryTraces()).length, 1);
    assertEquals(await store.getTrace("missing"), undefined);
  },
  "lists a trace's children by parent id": async (store) => {
    await store.writeTraces([
      sampleTrace("root", 0),
      sampleTrace("c1", 10, { parent_id: "root", entry_type: "event" }),
      sampleTrace("c2", 20, { parent_id: "root", entry_type: "event" }),
      sampleTrace("other", 30, { parent_id: "elsewhere" }),
    ]);
    assertEquals((await store.queryTraces({ parentId: "root" })).map((t) => t.id), ["c2", "c1"]);
  },
  "filters traces by type, status and time": async (store) => {
    await store.writeTraces([
      sampleTrace("a", 0),
      sampleTrace("b", 1000, { entry_type: "cron", status: "failed", error: "x" }),
      sampleTrace("c", 2000, { entry_type: "cron" }),
    ]);
    assertEquals((await store.queryTraces({ entryType: "cron" })).map((t) => t.id), ["c", "b"]);
    assertEquals((await store.queryTraces({ status: "failed" })).map((t) => t.id), ["b"]);
    const since = new Date(BASE + 1000);
    const until = new Date(BASE + 2000);
    assertEquals((await store.queryTraces({ since, until })).map((t) => t.id), ["b"]);
  },
  "returns logs newest first, filtered by level, trace id and time": async (store) => {
    await store.writeLogs(
      [0, 1, 2, 3, 4, 5].map((i) => sampleLog(i, i === 3 ? { trace_id: "T" } : {})),
    );
    assertEquals((await store.queryLogs({ limit: 2 })).map((l) => l.message), ["m5", "m4"]);
    assertEquals((await store.queryLogs({ level: "error" })).map((l) => l.message), [
      "m5",
      "m3",
      "m1",
    ]);
    assertEquals((await store.queryLogs({ traceId: "T" })).map((l) => l.message), ["m3"]);
    const after = new Date(BASE + 3000).toISOString();
    assertEquals((await store.queryLogs({ after })).map((l) => l.message), ["m5", "m4"]);
    const entry = (await store.queryLogs({ traceId: "T" }))[0];
    assertEquals(entry?.fields, { i: "3" });
  },
  "returns metric samples newest first, filtered by name": async (store) => {
    await store.writeSamples([sampleMetric(1), sampleMetric(2, "other"), sampleMetric(3)]);
    const all = await store.querySamples({ name: "requests_total" });
    assertEquals(all.map((s) => s.value), [3, 1]);
    assertEquals(all[0]?.labels, { route: "/x" });
    assertEquals((await store.querySamples({ since: new Date(BASE + 2000) })).length, 2);
  },
  "prunes traces, logs and samples older than the cutoff": async (store) => {
    await store.writeTraces([
      sampleTrace("old", 0),
      sampleTrace("oldchild", 500, { parent_id: "old" }),
      sampleTrace("new", 5000),
    ]);
    await store.writeLogs([sampleLog(0, { trace_id: "old" }), sampleLog(6)]);
    await store.writeSamples([sampleMetric(0), sampleMetric(7)]);
    const removed = await store.prune(new Date(BASE + 1000));
    assert(removed >= 4, `removed ${removed}`);
    assertEquals((await store.queryTraces()).map((t) => t.id), ["new"]);
    assertEquals(await store.getTrace("old"), undefined);
    assertEquals(await store.queryTraces({ parentId: "old" }), []);
    assertEquals((await store.queryLogs()).map((l) => l.message), ["m6"]);
    assertEquals(await store.queryLogs({ traceId: "old" }), []);
    assertEquals((await store.querySamples()).map((s) => s.value), [7]);
  },
};

/** Runs the conformance suite against a store, one step of `t` per case, each on a fresh store.
 *
 * @param t the test context of the caller's `Deno.test`
 * @param options how to open a fresh store
 * @returns resolves when every step ran (a failed step fails the caller's test)
 * @example In a store's test file (it declares a `Deno.test` of its own, which a documentation
 * test cannot, so it is not run as one)
 * ```ts ignore
 * import { createMemoryStore, storeConformance } from "@rohas/cli/telemetry";
 * Deno.test("the memory store conforms to the store contract", (t) =>
 *   storeConformance(t, {
 *     open: () => {
 *       const store = createMemoryStore();
 *       return Promise.resolve({ store, dispose: () => store.close() });
 *     },
 *   }));
 * ```
 */
export async function storeConformance(
  t: Deno.TestContext,
  options: ConformanceOptions,
): Promise<void> {
  for (const [title, run] of Object.entries(CASES)) {
    await t.step({
      name: title,
      sanitizeResources: options.sanitizeResources ?? true,
      sanitizeOps: options.sanitizeOps ?? true,
      async fn() {
        const fixture = await options.open();
        try {
          await run(fixture.store);
        } finally {
          await fixture.dispose();
        }
      },
    });
  }
}
