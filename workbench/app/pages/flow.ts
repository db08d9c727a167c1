/// <reference lib="dom" />
/**
 * Flow control: per event handler with an `on` block, its declared controls and, per control, the
 * events waiting now (a batch filling, debounced events waiting) and the events held back so far,
 * from the `rohas_flow_waiting` and `rohas_flow_held_total` series of this instance; for the limits
 * (`concurrency`, `rate`, `throttle`), what they hold across every instance, read from the shared
 * state (`GET limits`): runs in flight per key, and each key's use of the current window's budget;
 * then the delayed events waiting per event and handler (`all`: a `state.triggerEvent` with `delay`
 * or `at`, for every handler), from `rohas_delayed_events_waiting` (counted in the shared state, so
 * across instances). Refreshed when a trace finishes (at most twice a second) and every 5 s.
 *
 * @module
 */

import { api } from "../api.ts";
import { h, replace } from "../dom.ts";
import { onLive } from "../live.ts";
import type { Endpoints, FlowJson, LimitsJson, Series } from "../types.ts";
import { endpoints, errorBox, type Page } from "./_shared.ts";

/** One control of one handler, as a row. */
interface Row {
  event: string;
  handler: string;
  control: string;
  declared: string;
}

/** The flow control page. */
export function flowPage(): Page {
  const table = h("div", { "data-testid": "flow" });
  const delayed = h("div", { "data-testid": "delayed" });
  const el = h(
    "div",
    {},
    h("h1", {}, "Flow control"),
    table,
    h("h2", {}, "Delayed events waiting"),
    delayed,
  );
  let rows: Row[] | null = null;
  async function refresh(): Promise<void> {
    try {
      rows ??= rowsOf(await endpoints());
      const [{ series }, { handlers }] = await Promise.all([
        api<{ series: Series[] }>("metrics"),
        api<{ handlers: LimitsJson[] }>("limits"),
      ]);
      replace(table, render(rows, series, handlers));
      replace(delayed, renderDelayed(series));
    } catch (error) {
      replace(table, errorBox(error));
    }
  }
  void refresh();
  let queued = false;
  const off = onLive((event) => {
    if (event.kind !== "trace" || event.trace.status === "running" || queued) return;
    queued = true;
    setTimeout(() => {
      queued = false;
      void refresh();
    }, 500);
  });
  const timer = setInterval(refresh, 5_000);
  return {
    el,
    cleanup: () => {
      clearInterval(timer);
      off();
    },
  };
}

function rowsOf(e: Endpoints): Row[] {
  return e.events.flatMap((event) =>
    (event.flow ?? []).flatMap((flow) =>
      controlsOf(flow).map(([control, declared]) => ({
        event: event.name,
        handler: flow.handler,
        control,
        declared,
      }))
    )
  );
}

/** Each declared control of a block, as written in the schema. */
function controlsOf(flow: FlowJson): [string, string][] {
  const out: [string, string][] = [];
  const by = (key?: string) => key === undefined ? "" : ` by ${key}`;
  if (flow.concurrency) {
    out.push(["concurrency", `${flow.concurrency.limit}${by(flow.concurrency.key)}`]);
  }
  for (const key of ["rate", "throttle"] as const) {
    const c = flow[key];
    if (c) out.push([key, `${c.limit} per ${duration(c.period_ms)}${by(c.key)}`]);
  }
  const d = flow.debounce;
  if (d) {
    const max = d.max_wait_ms === undefined ? "" : ` max ${duration(d.max_wait_ms)}`;
    out.push(["debounce", `${duration(d.period_ms)}${by(d.key)} ${d.edge}${max}`]);
  }
  if (flow.batch) {
    out.push(["batch", `${flow.batch.size} within ${duration(flow.batch.wait_ms)}`]);
  }
  if (flow.priority !== undefined) out.push(["priority", String(flow.priority)]);
  if (flow.delay_ms !== undefined) out.push(["delay", duration(flow.delay_ms)]);
  return out;
}

function duration(ms: number): string {
  for (const [unit, size] of [["h", 3_600_000], ["m", 60_000], ["s", 1_000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** What a limit holds across instances, as one line per key (`"ada": 2 of 2`). */
function acrossInstances(row: Row, limits: LimitsJson[]): string[] {
  const live = limits.find((l) => l.handler === row.handler);
  const label = (key: string) => key === "" ? "all events" : key;
  switch (row.control) {
    case "concurrency": {
      const c = live?.concurrency;
      if (!c) return [];
      if (c.keys.length === 0) return ["none in flight"];
      return c.keys.map((k) => `${label(k.key)}: ${k.in_flight} of ${c.limit} in flight`);
    }
    case "rate":
    case "throttle": {
      const b = live?.[row.control];
      if (!b) return [];
      const resets = Math.max(0, b.resets_at - Date.now());
      const used = b.keys.length === 0
        ? [`0 of ${b.limit} used`]
        : b.keys.map((k) => `${label(k.key)}: ${k.used} of ${b.limit} used`);
      return [...used, `window resets in ${(resets / 1000).toFixed(1)} s`];
    }
  }
  return [];
}

function render(rows: Row[], series: Series[], limits: LimitsJson[]): HTMLElement {
  if (rows.length === 0) {
    return h("p", { class: "muted" }, "No handler declares flow controls (`on <handler> { … }`)");
  }
  const value = (name: string, row: Row) =>
    series.filter((s) =>
      s.name === name && s.labels.handler === row.handler && s.labels.control === row.control
    ).reduce((n, s) => n + s.value, 0);
  return h(
    "table",
    {},
    h(
      "tr",
      {},
      ...[
        "Handler",
        "Event",
        "Control",
        "Declared",
        "Waiting now",
        "Held back",
        "Across instances",
      ].map((t) => h("th", {}, t)),
    ),
    rows.map((row) =>
      h(
        "tr",
        { "data-testid": "flow-row", "data-handler": row.handler, "data-control": row.control },
        h("td", { class: "mono" }, row.handler),
        h("td", {}, row.event),
        h("td", {}, row.control),
        h("td", { class: "mono" }, row.declared),
        h("td", { "data-testid": "flow-waiting" }, String(value("rohas_flow_waiting", row))),
        h("td", { "data-testid": "flow-held" }, String(value("rohas_flow_held_total", row))),
        h(
          "td",
          { "data-testid": "flow-live", class: "mono" },
          acrossInstances(row, limits).map((line) => h("div", {}, line)),
        ),
      )
    ),
  );
}

/** Delayed events waiting, per event and handler, from the gauge the engine refreshes. */
function renderDelayed(series: Series[]): HTMLElement {
  const waiting = series.filter((s) => s.name === "rohas_delayed_events_waiting" && s.value > 0)
    .toSorted((a, b) =>
      (a.labels.event ?? "").localeCompare(b.labels.event ?? "") ||
      (a.labels.handler ?? "").localeCompare(b.labels.handler ?? "")
    );
  if (waiting.length === 0) {
    return h("p", { class: "muted" }, "No delayed events waiting (`rohas delayed` lists them)");
  }
  return h(
    "table",
    {},
    h("tr", {}, ...["Event", "Handler", "Waiting"].map((t) => h("th", {}, t))),
    waiting.map((s) =>
      h(
        "tr",
        { "data-testid": "delayed-row", "data-event": s.labels.event ?? "" },
        h("td", {}, s.labels.event ?? ""),
        h("td", { class: "mono" }, s.labels.handler ?? ""),
        h("td", { "data-testid": "delayed-waiting" }, String(s.value)),
      )
    ),
  );
}
