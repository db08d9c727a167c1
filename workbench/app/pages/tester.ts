/// <reference lib="dom" />
/**
 * API tester (body seeded from the input type's JSON Schema, headers kept per API, the middlewares
 * that guard it named, sent to the engine itself, with the answer, time, trace link and which
 * middleware rejected it) and WebSocket client.
 *
 * @module
 */

import { api } from "../api.ts";
import { h, pretty, replace } from "../dom.ts";
import type { Endpoints, TraceTree } from "../types.ts";
import { endpoints, errorBox, type Page, seed, traceLink } from "./_shared.ts";

/** Where the headers last sent to an API are kept, so a guarded API keeps its token. */
const HEADERS_KEY = "rohas_tester_headers:";

function savedHeaders(api: string): string | null {
  return localStorage.getItem(HEADERS_KEY + api);
}

/** The API tester page. */
export function testerPage(): Page {
  const picker = h("select", { "data-testid": "api-select" });
  const method = h("input", { class: "method", "data-testid": "api-method", size: 7 });
  const path = h("input", { class: "grow mono", "data-testid": "api-path" });
  const guards = h("p", { class: "muted", "data-testid": "api-guards" });
  const headers = h("textarea", { rows: 2, class: "mono", "data-testid": "api-headers" }, "{}");
  const body = h("textarea", { rows: 10, class: "mono", "data-testid": "api-body" });
  const result = h("div", { class: "result", "data-testid": "api-result" });
  const send = h("button", { class: "primary", "data-testid": "api-send" }, "Send");
  const el = h(
    "div",
    {},
    h("h1", {}, "API tester"),
    h("div", { class: "row" }, picker, method, path, send),
    guards,
    h("label", {}, "Headers (JSON, kept per API in this browser)", headers),
    h("label", {}, "Body (JSON)", body),
    result,
  );
  let apis: Endpoints["apis"] = [];
  const current = () => apis.find((a) => a.name === picker.value);
  const pick = async () => {
    const api = current();
    if (!api) return;
    method.value = api.method;
    path.value = api.path;
    headers.value = savedHeaders(api.name) ?? "{}";
    replace(
      guards,
      api.middlewares.length === 0
        ? "No middleware guards this API"
        : `Guarded by middleware ${api.middlewares.join(", then ")}: ` +
          "add the headers it expects (a token, say) before sending",
    );
    body.value = api.body ? await seed(api.body) : "";
    body.disabled = !api.body;
  };
  picker.addEventListener("change", () => void pick());
  send.addEventListener("click", () => void sendRequest());
  const sendRequest = async () => {
    replace(result, "Sending…");
    const started = performance.now();
    try {
      const extra = JSON.parse(headers.value || "{}") as Record<string, string>;
      const api = current();
      if (api) localStorage.setItem(HEADERS_KEY + api.name, headers.value || "{}");
      const init: RequestInit = { method: method.value, headers: { ...extra } };
      if (!body.disabled && body.value.trim()) {
        init.body = body.value;
        (init.headers as Record<string, string>)["content-type"] = "application/json";
      }
      const response = await fetch(path.value, init);
      const text = await response.text();
      const traceId = response.headers.get("x-rohas-trace-id");
      replace(
        result,
        h(
          "div",
          { class: "row" },
          h(
            "span",
            { class: `badge ${response.ok ? "ok" : "bad"}`, "data-testid": "api-status" },
            String(response.status),
          ),
          h("span", {}, `${(performance.now() - started).toFixed(1)} ms`),
          h("span", {}, "trace ", traceLink(traceId)),
        ),
        h("pre", { class: "mono" }, prettyText(text)),
      );
      if (!response.ok && api && api.middlewares.length > 0 && traceId) {
        const rejection = await rejectedBy(traceId);
        if (rejection) result.prepend(rejection);
      }
    } catch (error) {
      replace(result, errorBox(error));
    }
  };
  endpoints().then((e) => {
    apis = e.apis;
    replace(
      picker,
      apis.map((a) => h("option", { value: a.name }, `${a.method} ${a.path} (${a.name})`)),
    );
    void pick();
  }).catch((error) => replace(result, errorBox(error)));
  return { el };
}

function prettyText(text: string): string {
  try {
    return pretty(JSON.parse(text));
  } catch {
    return text; // Not JSON: shown as is.
  }
}

/** Names the middleware that turned the request away, from its trace (recorded just after). */
async function rejectedBy(traceId: string): Promise<HTMLElement | null> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const trace = await api<TraceTree>(`traces/${encodeURIComponent(traceId)}`).catch(() => null);
    const step = trace?.steps.find((s) => s.name.startsWith("middleware:") && !s.success);
    if (step) {
      return h(
        "div",
        { class: "error", "data-testid": "api-rejected" },
        `Rejected by middleware ${step.handler_name}: ${step.error ?? "no reason given"}`,
      );
    }
    if (trace && trace.status !== "running") return null;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return null;
}

/** The WebSocket client page. */
export function socketPage(): Page {
  const picker = h("select", { "data-testid": "ws-select" });
  const path = h("input", { class: "grow mono", "data-testid": "ws-path" });
  const connect = h("button", { class: "primary", "data-testid": "ws-connect" }, "Connect");
  const message = h("textarea", { rows: 5, class: "mono", "data-testid": "ws-message" });
  const sendButton = h("button", { "data-testid": "ws-send", disabled: true }, "Send");
  const log = h("div", { class: "log mono", "data-testid": "ws-log" });
  const el = h(
    "div",
    {},
    h("h1", {}, "WebSocket client"),
    h("div", { class: "row" }, picker, path, connect),
    h("label", {}, "Message", message),
    sendButton,
    log,
  );
  let socket: WebSocket | null = null;
  let sockets: Endpoints["websockets"] = [];
  const note = (kind: string, text: string) =>
    log.prepend(
      h("div", { class: `line ${kind}` }, `${new Date().toLocaleTimeString()} ${kind} ${text}`),
    );
  const pick = async () => {
    const ws = sockets.find((s) => s.name === picker.value);
    if (!ws) return;
    path.value = ws.path;
    message.value = await seed(ws.message);
  };
  picker.addEventListener("change", () => void pick());
  connect.addEventListener("click", () => {
    if (socket) {
      socket.close();
      return;
    }
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${path.value}`;
    socket = new WebSocket(url);
    socket.onopen = () => {
      note("open", url);
      connect.textContent = "Disconnect";
      sendButton.disabled = false;
    };
    socket.onmessage = (e) => note("in", String(e.data));
    socket.onclose = (e) => {
      note("closed", `${e.code} ${e.reason}`);
      connect.textContent = "Connect";
      sendButton.disabled = true;
      socket = null;
    };
    socket.onerror = () => note("error", "connection error");
  });
  sendButton.addEventListener("click", () => {
    socket?.send(message.value);
    note("out", message.value);
  });
  endpoints().then((e) => {
    sockets = e.websockets;
    replace(picker, sockets.map((s) => h("option", { value: s.name }, `${s.path} (${s.name})`)));
    void pick();
  }).catch((error) => replace(log, errorBox(error)));
  return { el, cleanup: () => socket?.close() };
}
