/// <reference lib="dom" />
/**
 * Operations: the event trigger form, the cron list with run-now, and dead letters with replay.
 *
 * @module
 */

import { api, post } from "../api.ts";
import { clock, h, pretty, replace } from "../dom.ts";
import type { DeadLetterJson, Endpoints } from "../types.ts";
import { endpoints, errorBox, type Page, seed, traceLink } from "./_shared.ts";

/** The event trigger page. */
export function eventsPage(): Page {
  const picker = h("select", { "data-testid": "event-select" });
  const info = h("p", { class: "muted" });
  const payload = h("textarea", { rows: 10, class: "mono", "data-testid": "event-payload" });
  const trigger = h("button", { class: "primary", "data-testid": "event-trigger" }, "Trigger");
  const result = h("div", { class: "result", "data-testid": "event-result" });
  const el = h(
    "div",
    {},
    h("h1", {}, "Trigger an event"),
    h("div", { class: "row" }, picker, trigger),
    info,
    h("label", {}, "Payload (JSON)", payload),
    result,
  );
  let events: Endpoints["events"] = [];
  const pick = async () => {
    const event = events.find((e) => e.name === picker.value);
    if (!event) return;
    replace(
      info,
      `Payload ${event.payload || "none"} · handlers ${
        event.handlers.join(", ") || "none"
      } · triggers ${event.triggers.join(", ") || "none"}`,
    );
    payload.value = await seed(event.payload);
  };
  picker.addEventListener("change", () => void pick());
  trigger.addEventListener("click", async () => {
    try {
      const body = await post<{ event: string; trace_id?: string }>(
        `events/${encodeURIComponent(picker.value)}/trigger`,
        { payload: JSON.parse(payload.value || "{}") },
      );
      replace(
        result,
        h(
          "div",
          { class: "ok-box", "data-testid": "event-ok" },
          `Published ${body.event} `,
          traceLink(body.trace_id),
        ),
      );
    } catch (error) {
      replace(result, errorBox(error));
    }
  });
  endpoints().then((e) => {
    events = e.events;
    replace(picker, events.map((ev) => h("option", { value: ev.name }, ev.name)));
    void pick();
  }).catch((error) => replace(result, errorBox(error)));
  return { el };
}

/** The cron list page. */
export function cronsPage(): Page {
  const table = h("div");
  const result = h("div", { class: "result", "data-testid": "cron-result" });
  const el = h("div", {}, h("h1", {}, "Cron jobs"), table, result);
  endpoints().then((e) => {
    replace(
      table,
      e.crons.length === 0 ? h("p", { class: "muted" }, "No cron jobs") : h(
        "table",
        {},
        h(
          "tr",
          {},
          h("th", {}, "Name"),
          h("th", {}, "Schedule"),
          h("th", {}, "Triggers"),
          h("th", {}, ""),
        ),
        e.crons.map((c) =>
          h(
            "tr",
            { "data-testid": "cron-row" },
            h("td", {}, c.name),
            h("td", { class: "mono" }, c.schedule + (c.timezone ? ` (${c.timezone})` : "")),
            h("td", {}, c.triggers.join(", ")),
            h(
              "td",
              {},
              h("button", {
                "data-testid": "cron-run",
                onclick: async () => {
                  replace(result, `Running ${c.name}…`);
                  try {
                    const out = await post<
                      { outcome: { ok: boolean; traceId: string; error?: string } }
                    >(`crons/${encodeURIComponent(c.name)}/run`);
                    replace(
                      result,
                      h(
                        "div",
                        { class: out.outcome.ok ? "ok-box" : "error" },
                        `${c.name}: ${out.outcome.ok ? "succeeded" : out.outcome.error} `,
                        traceLink(out.outcome.traceId),
                      ),
                    );
                  } catch (error) {
                    replace(result, errorBox(error));
                  }
                },
              }, "Run now"),
            ),
          )
        ),
      ),
    );
  }).catch((error) => replace(table, errorBox(error)));
  return { el };
}

/** The dead letters page. */
export function deadLettersPage(): Page {
  const table = h("div", { "data-testid": "dead-letters" });
  const result = h("div", { class: "result", "data-testid": "replay-result" });
  const refresh = h("button", {}, "Refresh");
  const el = h(
    "div",
    {},
    h("h1", {}, "Dead letters"),
    h("div", { class: "row" }, refresh),
    result,
    table,
  );
  const load = async () => {
    try {
      const letters = await api<DeadLetterJson[]>("dead-letters");
      replace(
        table,
        letters.length === 0
          ? h("p", { class: "muted", "data-testid": "no-dead-letters" }, "No dead letters")
          : h(
            "table",
            {},
            h(
              "tr",
              {},
              h("th", {}, "Failed"),
              h("th", {}, "Event"),
              h("th", {}, "Group"),
              h("th", {}, "Error"),
              h("th", {}, "Payload"),
              h("th", {}, "Trace"),
              h("th", {}, ""),
            ),
            letters.map((d) =>
              h(
                "tr",
                { "data-testid": "dead-letter-row" },
                h("td", {}, clock(d.failed_at)),
                h("td", {}, d.topic),
                h("td", { class: "mono" }, groupLabel(d.group)),
                h("td", { class: "err" }, d.error),
                h("td", {}, h("code", {}, pretty(d.payload).slice(0, 120))),
                h("td", {}, traceLink(d.trace_id)),
                h(
                  "td",
                  {},
                  h("button", {
                    "data-testid": "replay",
                    onclick: async () => {
                      try {
                        const out = await post<{ replayed: number }>("dead-letters/replay", {
                          topic: d.topic,
                          ids: [d.id],
                        });
                        replace(
                          result,
                          h(
                            "div",
                            { class: "ok-box", "data-testid": "replayed" },
                            `Replayed ${out.replayed} of ${d.topic}`,
                          ),
                        );
                        await load();
                      } catch (error) {
                        replace(result, errorBox(error));
                      }
                    },
                  }, "Replay"),
                ),
              )
            ),
          ),
      );
    } catch (error) {
      replace(table, errorBox(error));
    }
  };
  refresh.addEventListener("click", () => void load());
  void load();
  return { el };
}

/**
 * A dead letter's group; `*` (`PUBLISH_GROUP` in adapters/adapter.ts, kept out of the browser
 * bundle) is a publish that failed, which a replay publishes to every handler.
 */
function groupLabel(group: string): string {
  return group === "*" ? "* (publish: every handler)" : group;
}
