/// <reference lib="dom" />
/**
 * Flow control: per event handler with an `on` block, its declared controls and, per control, the
 * events waiting now (a batch filling, debounced events waiting) and the events held back so far,
 * from the `rohas_flow_waiting` and `rohas_flow_held_total` series of this instance; then the
 * delayed events waiting per event and handler (`all`: a `state.triggerEvent` with `delay` or
 * `at`, for every handler), from `rohas_delayed_events_waiting` (counted in the shared state, so
 * across instances). Refreshed when a trace finishes (at most twice a second) and every 5 s.
 *
 * @module
 */

import { api } from "../api.ts";
import { h, replace } from "../dom.ts";
import { onLive } from "../live.ts";
import type { Endpoints, FlowJson, Series } from "../types.ts";
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
      const { series } = await api<{ series: Series[] }>("metrics");
      replace(table, render(rows, series));
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

function render(rows: Row[], series: Series[]): HTMLElement {
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
      ...["Handler", "Event", "Control", "Declared", "Waiting now", "Held back"].map((t) =>
        h("th", {}, t)
      ),
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
