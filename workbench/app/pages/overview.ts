/// <reference lib="dom" />
/**
 * Overview: counts from the schema, request rate and error rate from the live counters, p99 per
 * route, memory and CPU. Counters refresh when the event stream reports a finished trace (at most
 * twice a second); a slow timer keeps the rate and the gauges current when nothing happens.
 *
 * @module
 */

import { api } from "../api.ts";
import { h, ms, replace } from "../dom.ts";
import { onLive } from "../live.ts";
import type { Series } from "../types.ts";
import { endpoints, errorBox, type Page } from "./_shared.ts";

interface System {
  cpu: number;
  ram: { used_mb: number; total_mb: number; percentage: number };
  process: { rss_mb: number; heap_used_mb: number };
}

function card(label: string, value: string, testid: string): HTMLElement {
  return h(
    "div",
    { class: "stat" },
    h("div", { class: "stat-value", "data-testid": testid }, value),
    h("div", { class: "stat-label" }, label),
  );
}

function total(
  series: Series[],
  name: string,
  filter: (s: Series) => boolean = () => true,
): number {
  return series.filter((s) => s.name === name && filter(s)).reduce((n, s) => n + s.value, 0);
}

/** The overview page. */
export function overviewPage(): Page {
  const counts = h("div", { class: "stats" });
  const live = h("div", { class: "stats" });
  const routes = h("div");
  const el = h("div", {}, h("h1", {}, "Overview"), counts, live, h("h2", {}, "Routes"), routes);
  let last: { at: number; requests: number } | null = null;
  endpoints().then((e) =>
    replace(
      counts,
      card("APIs", String(e.apis.length), "count-apis"),
      card("Events", String(e.events.length), "count-events"),
      card("Cron jobs", String(e.crons.length), "count-crons"),
      card("WebSockets", String(e.websockets.length), "count-websockets"),
    )
  ).catch((error) => replace(counts, errorBox(error)));
  async function refresh(): Promise<void> {
    try {
      const [{ series }, system] = await Promise.all([
        api<{ series: Series[] }>("metrics"),
        api<System>("system-metrics"),
      ]);
      const requests = total(series, "rohas_http_requests_total");
      const failed = total(
        series,
        "rohas_http_requests_total",
        (s) => s.labels.status === "failed",
      );
      const now = performance.now();
      const rate = last ? (requests - last.requests) / ((now - last.at) / 1000) : 0;
      last = { at: now, requests };
      replace(
        live,
        card("Requests", String(requests), "requests-total"),
        card("Requests/s", rate.toFixed(1), "request-rate"),
        card(
          "Error rate",
          requests ? `${(failed / requests * 100).toFixed(1)} %` : "0 %",
          "error-rate",
        ),
        card("Process memory", `${system.process.rss_mb} MB`, "memory"),
        card("Host CPU", `${system.cpu} %`, "cpu"),
        card("Host RAM", `${system.ram.percentage} %`, "ram"),
      );
      const durations = series.filter((s) => s.name === "rohas_http_request_duration_ms");
      replace(
        routes,
        durations.length === 0 ? h("p", { class: "muted" }, "No requests yet") : h(
          "table",
          { "data-testid": "routes" },
          h(
            "tr",
            {},
            h("th", {}, "Route"),
            h("th", {}, "Requests"),
            h("th", {}, "p50"),
            h("th", {}, "p99"),
          ),
          durations.map((s) =>
            h(
              "tr",
              {},
              h("td", { class: "mono" }, s.labels.route ?? ""),
              h("td", {}, String(s.count ?? 0)),
              h("td", {}, ms(s.p50 ?? 0)),
              h("td", {}, ms(s.p99 ?? 0)),
            )
          ),
        ),
      );
    } catch (error) {
      replace(live, errorBox(error));
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
  const timer = setInterval(refresh, 10_000);
  return {
    el,
    cleanup: () => {
      clearInterval(timer);
      off();
    },
  };
}
