/// <reference lib="dom" />
/**
 * API tester (body seeded from the input type's JSON Schema, sent to the engine itself, with the
 * answer, time and trace link) and WebSocket client.
 *
 * @module
 */

import { h, pretty, replace } from "../dom.ts";
import type { Endpoints } from "../types.ts";
import { endpoints, errorBox, type Page, seed, traceLink } from "./_shared.ts";

/** The API tester page. */
export function testerPage(): Page {
  const picker = h("select", { "data-testid": "api-select" });
  const method = h("input", { class: "method", "data-testid": "api-method", size: 7 });
  const path = h("input", { class: "grow mono", "data-testid": "api-path" });
  const headers = h("textarea", { rows: 2, class: "mono", "data-testid": "api-headers" }, "{}");
  const body = h("textarea", { rows: 10, class: "mono", "data-testid": "api-body" });
  const result = h("div", { class: "result", "data-testid": "api-result" });
  const send = h("button", { class: "primary", "data-testid": "api-send" }, "Send");
  const el = h(
    "div",
    {},
    h("h1", {}, "API tester"),
    h("div", { class: "row" }, picker, method, path, send),
    h("label", {}, "Headers (JSON)", headers),
    h("label", {}, "Body (JSON)", body),
    result,
  );
  let apis: Endpoints["apis"] = [];
  const pick = async () => {
    const api = apis.find((a) => a.name === picker.value);
    if (!api) return;
    method.value = api.method;
    path.value = api.path;
    body.value = api.body ? await seed(api.body) : "";
    body.disabled = !api.body;
  };
  picker.addEventListener("change", () => void pick());
  send.addEventListener("click", async () => {
    replace(result, "Sending…");
    const started = performance.now();
    try {
      const extra = JSON.parse(headers.value || "{}") as Record<string, string>;
      const init: RequestInit = { method: method.value, headers: { ...extra } };
      if (!body.disabled && body.value.trim()) {
        init.body = body.value;
        (init.headers as Record<string, string>)["content-type"] = "application/json";
      }
      const response = await fetch(path.value, init);
      const text = await response.text();
      const elapsed = performance.now() - started;
      let shown = text;
      try {
        shown = pretty(JSON.parse(text));
      } catch {
        // Not JSON: show as is.
      }
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
          h("span", {}, `${elapsed.toFixed(1)} ms`),
          h("span", {}, "trace ", traceLink(response.headers.get("x-rohas-trace-id"))),
        ),
        h("pre", { class: "mono" }, shown),
      );
    } catch (error) {
      replace(result, errorBox(error));
    }
  });
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
