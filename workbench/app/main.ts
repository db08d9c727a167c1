/// <reference lib="dom" />
/**
 * The workbench single-page app: a sidebar, hash routes, one page at a time. Served by the engine
 * at `/_rohas/`; talks only to `/api/workbench/*` and the app's own routes on the same origin.
 *
 * @module
 */

import { apiKey, setApiKey, whenUnauthorized } from "./api.ts";
import { h, replace } from "./dom.ts";
import { onLive } from "./live.ts";
import type { Page } from "./pages/_shared.ts";
import { overviewPage } from "./pages/overview.ts";
import { schemaPage } from "./pages/schema.ts";
import { graphPage } from "./pages/graph.ts";
import { socketPage, testerPage } from "./pages/tester.ts";
import { cronsPage, deadLettersPage, eventsPage } from "./pages/operations.ts";
import { tracePage, tracesPage } from "./pages/traces.ts";
import { logsPage } from "./pages/logs.ts";
import { flowPage } from "./pages/flow.ts";

const ROUTES: [string, string, () => Page][] = [
  ["overview", "Overview", overviewPage],
  ["schema", "Schema", schemaPage],
  ["graph", "Schema graph", graphPage],
  ["api", "API tester", testerPage],
  ["ws", "WebSocket", socketPage],
  ["events", "Events", eventsPage],
  ["crons", "Cron jobs", cronsPage],
  ["dead-letters", "Dead letters", deadLettersPage],
  ["flow", "Flow control", flowPage],
  ["traces", "Traces", tracesPage],
  ["logs", "Logs", logsPage],
];

const main = h("main", { id: "page" });
const nav = h(
  "nav",
  {},
  h(
    "div",
    { class: "brand" },
    "Rohas ",
    h("span", { id: "live-status", class: "live off", title: "Live" }),
  ),
  ROUTES.map(([id, label]) => h("a", { href: `#/${id}`, "data-route": id }, label)),
  h("button", { class: "link", onclick: askKey }, "API key"),
);
let current: Page | null = null;

function askKey(): void {
  const input = h("input", {
    type: "password",
    placeholder: "Workbench API key",
    value: apiKey(),
    "data-testid": "api-key",
  });
  const dialog = h(
    "div",
    { class: "modal" },
    h(
      "form",
      {
        class: "card",
        onsubmit: (e: Event) => {
          e.preventDefault();
          setApiKey(input.value.trim());
          dialog.remove();
          render();
        },
      },
      h("h2", {}, "API key"),
      h(
        "p",
        {},
        "This workbench needs its API key ([workbench] api_key or ROHAS_WORKBENCH_API_KEY). It is kept in this browser only.",
      ),
      input,
      h("button", { class: "primary" }, "Save"),
    ),
  );
  document.querySelector(".modal")?.remove();
  document.body.append(dialog);
  input.focus();
}

function render(): void {
  current?.cleanup?.();
  const [, route = "overview", arg] = location.hash.split("/");
  for (const a of nav.querySelectorAll("a")) {
    a.classList.toggle("active", a.dataset.route === route);
  }
  current = route === "traces" && arg
    ? tracePage(decodeURIComponent(arg))
    : (ROUTES.find(([id]) => id === route) ?? ROUTES[0]!)[2]();
  replace(main, current.el);
}

whenUnauthorized(() => {
  if (!document.querySelector(".modal")) askKey();
});
document.body.append(h("div", { class: "shell" }, nav, main));
addEventListener("hashchange", render);
render();
// Connect the live stream at once, so the status dot tells the truth on every page.
onLive(() => {});
