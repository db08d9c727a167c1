/// <reference lib="dom" />
/**
 * Trace explorer (filters by type, status, text and time; live via the event stream) and the
 * trace detail: a waterfall of the trace tree with steps, durations, errors and triggered events,
 * and the logs of every trace in the tree (matched by trace id).
 *
 * @module
 */

import { api } from "../api.ts";
import { clock, h, ms, replace } from "../dom.ts";
import { onLive } from "../live.ts";
import type { TraceRecord, TraceTree } from "../types.ts";
import { errorBox, type Page } from "./_shared.ts";

const WINDOWS: Record<string, number> = { "5m": 300_000, "1h": 3_600_000, "24h": 86_400_000 };

/** Rows listed at first and added by each "load more". */
const PAGE = 200;

/** The trace explorer page. */
export function tracesPage(): Page {
  const type = h(
    "select",
    { "data-testid": "filter-type" },
    ["", "api", "event", "cron", "websocket"].map((t) =>
      h("option", { value: t }, t || "all types")
    ),
  );
  const status = h(
    "select",
    { "data-testid": "filter-status" },
    ["", "success", "failed", "running"].map((s) => h("option", { value: s }, s || "all statuses")),
  );
  const text = h("input", { placeholder: "Search", "data-testid": "filter-text" });
  const window = h(
    "select",
    { "data-testid": "filter-time" },
    ["", "5m", "1h", "24h"].map((w) => h("option", { value: w }, w ? `last ${w}` : "any time")),
  );
  const stats = h("div", { class: "stats" });
  const list = h("div", { "data-testid": "trace-list" });
  const more = h("div", { class: "row" });
  const el = h(
    "div",
    {},
    h("h1", {}, "Traces"),
    h("div", { class: "row" }, type, status, text, window),
    stats,
    list,
    more,
  );
  let traces: TraceRecord[] = [];
  let rowsWanted = PAGE;
  // The server has no traces older than the oldest loaded one.
  let exhausted = false;
  const visible = () => {
    const q = text.value.toLowerCase();
    const since = WINDOWS[window.value] ? Date.now() - WINDOWS[window.value]! : 0;
    return traces.filter((t) =>
      (!type.value || t.entry_type === type.value) &&
      (!status.value || t.status === status.value) &&
      (!q || JSON.stringify(t).toLowerCase().includes(q)) && Date.parse(t.started_at) >= since
    );
  };
  const render = () => {
    const matching = visible();
    const shown = matching.slice(0, rowsWanted);
    const done = matching.filter((t) => t.status !== "running");
    const avg = done.length ? done.reduce((n, t) => n + t.duration_ms, 0) / done.length : 0;
    // "Shown" counts the rows listed; the other figures are over every loaded trace that matches.
    replace(
      stats,
      stat("Shown", String(shown.length), "stat-shown"),
      stat("Matching", String(matching.length), "stat-matching"),
      stat("Failures", String(matching.filter((t) => t.status === "failed").length)),
      stat("Running", String(matching.filter((t) => t.status === "running").length)),
      stat("Average", ms(avg)),
    );
    renderMore(shown.length, matching.length);
    replace(
      list,
      shown.length === 0 ? h("p", { class: "muted" }, "No traces yet") : h(
        "table",
        {},
        h(
          "tr",
          {},
          h("th", {}, "Started"),
          h("th", {}, "Type"),
          h("th", {}, "Entry point"),
          h("th", {}, "Status"),
          h("th", {}, "Duration"),
          h("th", {}, "Steps"),
        ),
        shown.map((t) =>
          h(
            "tr",
            {
              class: "clickable",
              "data-testid": "trace-row",
              "data-entry": t.entry_point,
              "data-type": t.entry_type,
              "data-status": t.status,
              onclick: () => location.hash = `#/traces/${t.id}`,
            },
            h("td", {}, clock(t.started_at)),
            h("td", {}, h("span", { class: `tag ${t.entry_type}` }, t.entry_type)),
            h(
              "td",
              {},
              t.entry_point,
              t.parent_id ? h("span", { class: "muted" }, " ↳ child") : "",
            ),
            h("td", {}, h("span", { class: `badge ${t.status}` }, t.status)),
            h("td", {}, t.status === "running" ? "…" : ms(t.duration_ms)),
            h("td", {}, String(t.steps.length)),
          )
        ),
      ),
    );
  };
  // One load at a time: a second click while older traces are on their way would ask for (and
  // list) the same page twice.
  let loading = false;
  // One button for the page's life: the live stream re-renders often, and a click must not land
  // on a button that is being replaced. Disabled while a page of older traces is on its way.
  const moreButton = h("button", { "data-testid": "trace-more" }, "Load more");
  const renderMore = (listed: number, matching: number) => {
    const hidden = matching > listed;
    moreButton.disabled = loading;
    replace(
      more,
      h(
        "span",
        { class: "muted", "data-testid": "trace-count" },
        countLine(listed, matching, exhausted),
      ),
      hidden || !exhausted ? moreButton : "",
    );
  };
  const loadMore = async () => {
    if (loading) return;
    loading = true;
    moreButton.disabled = true;
    let failure: unknown = null;
    try {
      if (visible().length <= rowsWanted && !exhausted) await loadOlder();
      rowsWanted += PAGE;
    } catch (error) {
      failure = error;
    }
    loading = false;
    render();
    if (failure !== null) more.append(errorBox(failure));
  };
  moreButton.addEventListener("click", () => void loadMore());
  const loadOlder = async () => {
    const oldest = traces.at(-1)?.started_at;
    // `until` is exclusive: one millisecond later keeps traces sharing the oldest start time.
    const until = oldest ? `&until=${new Date(Date.parse(oldest) + 1).toISOString()}` : "";
    const older = await api<TraceRecord[]>(`traces?limit=${PAGE}${until}`);
    const known = new Set(traces.map((t) => t.id));
    const fresh = older.filter((t) => !known.has(t.id));
    if (fresh.length === 0) exhausted = true;
    traces = [...traces, ...fresh];
  };
  for (const f of [type, status, window]) {
    f.addEventListener("change", () => {
      rowsWanted = PAGE;
      render();
    });
  }
  text.addEventListener("input", render);
  api<TraceRecord[]>(`traces?limit=${PAGE}`).then((initial) => {
    traces = initial;
    exhausted = initial.length < PAGE;
    render();
  }).catch((error) => replace(list, errorBox(error)));
  const off = onLive((event) => {
    if (event.kind !== "trace") return;
    traces = [event.trace, ...traces.filter((t) => t.id !== event.trace.id)].slice(0, 10_000);
    render();
  });
  return { el, cleanup: off };
}

function countLine(listed: number, matching: number, exhausted: boolean): string {
  if (listed < matching) return `Listing ${listed} of ${matching} loaded traces`;
  if (!exhausted) return `Listing ${listed} traces; older ones may be on the server`;
  return `All ${matching} traces listed`;
}

function stat(label: string, value: string, testId?: string): HTMLElement {
  return h(
    "div",
    { class: "stat" },
    h("div", { class: "stat-value", ...(testId ? { "data-testid": testId } : {}) }, value),
    h("div", { class: "stat-label" }, label),
  );
}

interface Row {
  depth: number;
  label: string;
  start: number;
  duration: number;
  ok: boolean;
  kind: "trace" | "step";
  error?: string;
  events?: string[];
  id?: string;
}

function rows(tree: TraceTree, depth = 0): Row[] {
  const start = Date.parse(tree.started_at);
  const out: Row[] = [{
    depth,
    label: `${tree.entry_type} ${tree.entry_point}`,
    start,
    duration: tree.status === "running" ? Date.now() - start : tree.duration_ms,
    ok: tree.status !== "failed",
    kind: "trace",
    ...(tree.error ? { error: tree.error } : {}),
    id: tree.id,
  }];
  for (const s of tree.steps) {
    const row: Row = {
      depth: depth + 1,
      label: s.name,
      start: Date.parse(s.timestamp),
      duration: s.duration_ms,
      ok: s.success,
      kind: "step",
    };
    if (s.error) row.error = s.error;
    if (s.triggered_events?.length) row.events = s.triggered_events.map((e) => e.event_name);
    out.push(row);
  }
  for (const c of tree.children) out.push(...rows(c, depth + 1));
  return out;
}

/** The waterfall of a trace tree. */
export function waterfall(tree: TraceTree): HTMLElement {
  const all = rows(tree);
  const t0 = Math.min(...all.map((r) => r.start));
  const t1 = Math.max(...all.map((r) => r.start + Math.max(r.duration, 0.5)));
  const span = Math.max(1, t1 - t0);
  return h(
    "div",
    { class: "waterfall", "data-testid": "waterfall" },
    h(
      "div",
      { class: "wf-scale" },
      h("span", {}, "0"),
      h("span", {}, ms(span / 2)),
      h("span", {}, ms(span)),
    ),
    all.map((r) =>
      h(
        "div",
        {
          class: `wf-row ${r.kind} ${r.ok ? "" : "failed"}`,
          "data-testid": `wf-${r.kind}`,
          title: r.error ?? "",
        },
        h(
          "div",
          { class: "wf-label", style: `padding-left:${r.depth * 14}px` },
          r.id && r.id !== tree.id ? h("a", { href: `#/traces/${r.id}` }, r.label) : r.label,
          r.events ? h("span", { class: "muted" }, ` → ${r.events.join(", ")}`) : "",
        ),
        h(
          "div",
          { class: "wf-track" },
          h("div", {
            class: "wf-bar",
            style: `left:${(r.start - t0) / span * 100}%;width:${
              Math.max(0.4, r.duration / span * 100)
            }%`,
          }),
        ),
        h(
          "div",
          { class: "wf-dur" },
          ms(r.duration),
          r.error ? h("div", { class: "err" }, r.error) : "",
        ),
      )
    ),
  );
}

/** The trace detail page. */
export function tracePage(id: string): Page {
  const body = h("div", {}, "Loading…");
  const el = h(
    "div",
    {},
    h("h1", {}, "Trace ", h("span", { class: "mono" }, id.slice(0, 8))),
    h("a", { href: "#/traces" }, "← all traces"),
    body,
  );
  const load = async () => {
    try {
      const tree = await api<TraceTree>(`traces/${encodeURIComponent(id)}`);
      replace(
        body,
        h(
          "div",
          { class: "row" },
          h("span", { class: `badge ${tree.status}`, "data-testid": "trace-status" }, tree.status),
          h("strong", { "data-testid": "trace-entry" }, tree.entry_point),
          h("span", {}, ms(tree.duration_ms)),
          tree.parent_id ? h("a", { href: `#/traces/${tree.parent_id}` }, "parent") : "",
        ),
        tree.error ? h("div", { class: "error" }, tree.error) : "",
        tree.metadata
          ? h(
            "p",
            { class: "mono muted" },
            Object.entries(tree.metadata).map(([k, v]) => `${k}=${v}`).join("  "),
          )
          : "",
        waterfall(tree),
        h("h2", {}, "Logs of this trace"),
        (tree.logs ?? []).length === 0 ? h("p", { class: "muted" }, "No logs") : h(
          "div",
          { class: "log mono", "data-testid": "trace-logs" },
          (tree.logs ?? []).map((l) =>
            h(
              "div",
              { class: `line ${l.level}` },
              `${clock(l.timestamp)} ${l.level.toUpperCase()} [${
                l.handler ?? l.target
              }] ${l.message}`,
            )
          ),
        ),
      );
    } catch (error) {
      replace(body, errorBox(error));
    }
  };
  void load();
  let pending: ReturnType<typeof setTimeout> | undefined;
  const off = onLive((event) => {
    if (event.kind !== "trace") return;
    clearTimeout(pending);
    pending = setTimeout(load, 300);
  });
  return { el, cleanup: () => (off(), clearTimeout(pending)) };
}
