/// <reference lib="dom" />
/**
 * Live logs with level and text filters, fed by the event stream.
 *
 * @module
 */

import { api } from "../api.ts";
import { clock, h, replace } from "../dom.ts";
import { onLive } from "../live.ts";
import type { LogEntry } from "../types.ts";
import { errorBox, type Page } from "./_shared.ts";

const ORDER = ["error", "warn", "info", "debug", "trace"];

/** The live logs page. */
export function logsPage(): Page {
  const level = h(
    "select",
    { "data-testid": "log-level" },
    ["trace", "debug", "info", "warn", "error"].map((l) =>
      h("option", { value: l, selected: l === "debug" }, `${l} and above`)
    ),
  );
  const text = h("input", { placeholder: "Filter text", "data-testid": "log-text" });
  const list = h("div", { class: "log mono", "data-testid": "log-list" });
  const el = h("div", {}, h("h1", {}, "Live logs"), h("div", { class: "row" }, level, text), list);
  let logs: LogEntry[] = [];
  const render = () => {
    const max = ORDER.indexOf(level.value);
    const q = text.value.toLowerCase();
    const shown = logs.filter((l) =>
      ORDER.indexOf(l.level) <= max && (!q || JSON.stringify(l).toLowerCase().includes(q))
    );
    replace(
      list,
      shown.length === 0 ? h("p", { class: "muted" }, "No logs") : shown.slice(0, 500).map((l) =>
        h(
          "div",
          { class: `line ${l.level}`, "data-testid": "log-line" },
          `${clock(l.timestamp)} ${l.level.toUpperCase().padEnd(5)} [${
            l.handler ?? l.target
          }] ${l.message}`,
          Object.keys(l.fields).length
            ? h(
              "span",
              { class: "muted" },
              " " + Object.entries(l.fields).map(([k, v]) => `${k}=${v}`).join(" "),
            )
            : "",
          l.trace_id
            ? h(
              "a",
              { href: `#/traces/${l.trace_id}`, class: "muted" },
              ` trace ${l.trace_id.slice(0, 8)}`,
            )
            : "",
        )
      ),
    );
  };
  level.addEventListener("change", render);
  text.addEventListener("input", render);
  api<LogEntry[]>("logs?limit=500").then((initial) => {
    logs = [...initial, ...logs];
    render();
  }).catch((error) => replace(list, errorBox(error)));
  const off = onLive((event) => {
    if (event.kind !== "log") return;
    logs = [event.entry, ...logs].slice(0, 2000);
    render();
  });
  return { el, cleanup: off };
}
