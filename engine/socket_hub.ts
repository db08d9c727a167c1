/**
 * WebSockets (docs/compatibility.md#websockets with its fixes): middlewares run before the upgrade
 * (a rejection is an HTTP status, no upgrade), a connection registry per endpoint,
 * onConnect/onMessage/onDisconnect handlers, replies to the sender or to every connection when
 * `broadcast: true`, `state.send` and `state.broadcast` effects, messages validated against the
 * `message` type (an invalid one gets an error frame and the connection stays open), close codes
 * 1000/1008/1011, a trace per phase.
 *
 * @module
 */

import type { ActiveTrace, TraceStep } from "../telemetry/mod.ts";
import type { SocketSpec } from "./app_model.ts";
import type {
  ConnectionInfo,
  Effect,
  HandlerRef,
  InvocationInput,
  InvocationResult,
} from "./runtime/contract.ts";
import type { EngineParts } from "./parts.ts";
import {
  errorResponse,
  headersRecord,
  parseQuery,
  TRACE_HEADER,
  validateValue,
} from "./_http_util.ts";
import { exceedsJsonDepth, MAX_JSON_DEPTH } from "../_json_depth.ts";
import { invokeHandler } from "./_invoke.ts";
import { clientFailure } from "./_failure.ts";
import { runMiddlewares } from "./_middlewares.ts";
import { planTriggers, publishFailure, publishStep } from "./triggers.ts";
import {
  newConnectionId,
  type SocketFanout,
  type SocketMessage,
  socketMessageOf,
  SocketTargetError,
} from "./socket_fanout.ts";

/** Close codes the hub uses. */
export const CLOSE_CODES = {
  normal: 1000,
  goingAway: 1001,
  policy: 1008,
  tooBig: 1009,
  handlerError: 1011,
} as const;

/**
 * An edge process's WebSocket admission (engine/edge): a request with this header runs the
 * endpoint's middlewares without upgrading and is answered 204 with a one-use ticket
 * ({@linkcode TICKET_HEADER}); the upgrade that follows carries the ticket as the
 * {@linkcode TICKET_PARAM} query parameter and is accepted without running them again. A missing,
 * used or expired ticket runs the middlewares as usual, so a ticket grants nothing they would not.
 */
export const ADMIT_HEADER = "x-rohas-ws-admit";
/** The header of an admission's answer that carries the ticket. */
export const TICKET_HEADER = "x-rohas-ws-ticket";
/** The query parameter of an upgrade that presents a ticket. */
export const TICKET_PARAM = "__rohas_ticket";

/** How long an admission ticket stays valid. */
const TICKET_TTL_MS = 10_000;

interface Live {
  socket: WebSocket;
  info: ConnectionInfo;
  endpoint: string;
  /** Messages of one connection are handled one at a time, in order. */
  queue: Promise<void>;
  /** Why Deno dropped the connection, when it did (such as a text frame that is not UTF-8). */
  dropped?: string;
}

/** Options of {@linkcode SocketHub}. */
export interface SocketHubOptions {
  /** Names this instance in the ids of its connections. Default `local`. */
  instanceId?: string;
  /**
   * Delivers `broadcast: true` replies, `state.broadcast` and `state.send` here and on the other
   * instances (engine/socket_fanout.ts). Default: this hub's connections only.
   */
  fanout?: () => Pick<SocketFanout, "dispatch">;
}

/** The registry of live connections and the socket lifecycle. */
export class SocketHub {
  #parts: () => EngineParts;
  #instanceId: string;
  #fanout: () => Pick<SocketFanout, "dispatch">;
  #live = new Map<string, Live>();
  #byEndpoint = new Map<string, Set<string>>();
  /** Admission tickets: the endpoint each admits to, and when it expires. */
  #tickets = new Map<string, { endpoint: string; expires: number }>();
  #relay: ((endpoint: string, message: unknown) => void) | null = null;

  /** Creates a hub.
   *
   * @param parts the current engine parts (read at each phase, so reloads take effect)
   * @param options this instance's id and the fan-out to the other instances
   */
  constructor(parts: () => EngineParts, options: SocketHubOptions = {}) {
    this.#parts = parts;
    this.#instanceId = options.instanceId ?? "local";
    const here: Pick<SocketFanout, "dispatch"> = {
      dispatch: (message) => {
        deliverHere(this, message as SocketMessage);
        return Promise.resolve();
      },
    };
    this.#fanout = options.fanout ?? (() => here);
  }

  /** Live connections of an endpoint (or all). */
  count(endpoint?: string): number {
    return endpoint === undefined ? this.#live.size : this.#byEndpoint.get(endpoint)?.size ?? 0;
  }

  /** Sends a JSON message to one connection; false when it is gone. */
  send(connectionId: string, message: unknown): boolean {
    const live = this.#live.get(connectionId);
    if (!live || live.socket.readyState !== WebSocket.OPEN) return false;
    live.socket.send(JSON.stringify(message ?? null));
    return true;
  }

  /**
   * Sends a JSON message to every connection of an endpoint, here and, through the relay when one
   * is set, in the other isolates serving the app; returns how many connections here got it.
   */
  broadcast(endpoint: string, message: unknown): number {
    this.#relay?.(endpoint, message);
    return this.deliver(endpoint, message);
  }

  /** Sends a JSON message to every connection of an endpoint in this isolate only (a relayed one). */
  deliver(endpoint: string, message: unknown): number {
    let sent = 0;
    for (const id of this.#byEndpoint.get(endpoint) ?? []) if (this.send(id, message)) sent++;
    return sent;
  }

  /**
   * Hands every broadcast to `relay` as well, which carries it to the other isolates serving the
   * app (they call {@linkcode SocketHub.deliver}); null stops relaying.
   *
   * @param relay called with each broadcast's endpoint and message
   */
  relayBroadcasts(relay: ((endpoint: string, message: unknown) => void) | null): void {
    this.#relay = relay;
  }

  /** Closes every connection (shutdown). */
  closeAll(code: number = CLOSE_CODES.goingAway, reason = "Server shutting down"): void {
    for (const live of this.#live.values()) {
      try {
        live.socket.close(code, reason);
      } catch {
        // Already closing.
      }
    }
  }

  /** Handles a request on a socket endpoint: middlewares, then the upgrade.
   *
   * @param request the request
   * @param arg the endpoint and the request's trace id
   * @returns the 101 response, or an error response
   */
  async handle(request: Request, arg: { socket: SocketSpec; traceId: string }): Promise<Response> {
    const { socket: spec, traceId } = arg;
    const admitting = request.headers.has(ADMIT_HEADER);
    const upgrading = request.headers.get("upgrade")?.toLowerCase() === "websocket";
    if (!upgrading && !admitting) {
      return errorResponse(426, "Expected a WebSocket upgrade request", traceId);
    }
    if (upgrading && this.#redeem(request.url, spec)) {
      return this.#upgrade(request, spec, { id: traceId, addStep() {}, end() {} });
    }
    const parts = this.#parts();
    const trace = parts.telemetry.startTrace({
      id: traceId,
      entryPoint: `${spec.name} (upgrade)`,
      entryType: "websocket",
      metadata: { path: spec.path },
    });
    const mw = await runMiddlewares(parts, {
      middlewares: spec.middlewares,
      context: {
        payload: null,
        queryParams: parseQuery(new URL(request.url).search),
        headers: headersRecord(request.headers),
        websocketName: spec.name,
        traceId: trace.id,
      },
      trace,
    });
    if (mw.kind === "rejected") {
      trace.end("failed", mw.message);
      return errorResponse(mw.status, mw.message, trace.id, mw.details);
    }
    if (!upgrading) return this.#admit(spec, trace);
    return this.#upgrade(request, spec, trace);
  }

  #admit(spec: SocketSpec, trace: ActiveTrace): Response {
    const now = Date.now();
    for (const [ticket, held] of this.#tickets) {
      if (held.expires < now) this.#tickets.delete(ticket);
    }
    const ticket = crypto.randomUUID();
    this.#tickets.set(ticket, { endpoint: spec.name, expires: now + TICKET_TTL_MS });
    trace.end("success");
    return new Response(null, {
      status: 204,
      headers: { [TICKET_HEADER]: ticket, [TRACE_HEADER]: trace.id },
    });
  }

  /** Whether the upgrade presents a valid ticket for `spec` (used up here). */
  #redeem(url: string, spec: SocketSpec): boolean {
    const at = url.indexOf(`${TICKET_PARAM}=`);
    if (at < 0) return false;
    const ticket = decodeURIComponent(url.slice(at + TICKET_PARAM.length + 1).split("&")[0]!);
    const held = this.#tickets.get(ticket);
    if (held === undefined) return false;
    this.#tickets.delete(ticket);
    return held.endpoint === spec.name && held.expires >= Date.now();
  }

  #upgrade(request: Request, spec: SocketSpec, trace: ActiveTrace): Response {
    let upgraded;
    try {
      upgraded = Deno.upgradeWebSocket(request);
    } catch (error) {
      trace.end("failed", String(error));
      return errorResponse(400, `Invalid WebSocket upgrade: ${(error as Error).message}`, trace.id);
    }
    trace.end("success");
    this.#attach(upgraded.socket, spec);
    // Deno.upgradeWebSocket takes no headers, but its 101 response's headers are mutable and sent.
    upgraded.response.headers.set(TRACE_HEADER, trace.id);
    return upgraded.response;
  }

  #phaseFailed(live: Live, error: unknown): void {
    const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.#parts().telemetry.log({
      timestamp: new Date().toISOString(),
      level: "error",
      target: "engine:sockets",
      message: `WebSocket "${live.endpoint}" connection ${live.info.connectionId} failed: ${why}`,
      fields: { endpoint: live.endpoint, connection_id: live.info.connectionId },
      span_fields: {},
    });
  }

  #attach(socket: WebSocket, spec: SocketSpec): void {
    const info: ConnectionInfo = {
      connectionId: newConnectionId(this.#instanceId),
      path: spec.path,
      connectedAt: new Date().toISOString(),
    };
    const live: Live = { socket, info, endpoint: spec.name, queue: Promise.resolve() };
    // One connection's phases run in order; a phase that fails unexpectedly (its own handler
    // failures are traced inside it) is logged, and the next phase still runs.
    const enqueue = (work: () => Promise<void>) => {
      live.queue = live.queue.then(work).catch((error) => this.#phaseFailed(live, error));
    };
    socket.onopen = () => {
      this.#register(live);
      enqueue(() => this.#connect(live, spec));
    };
    socket.onmessage = (e) => enqueue(() => this.#message(live, spec, e.data));
    socket.onclose = () => {
      this.#unregister(live);
      enqueue(() => this.#disconnect(live, spec));
    };
    // Deno reports a protocol error (a text frame that is not UTF-8, ...) as an error event with
    // the socket already closed and drops the TCP connection without a close frame: no 1007 can
    // be sent (ARCHITECTURE.md, WebSockets). The reason is kept for the disconnect trace.
    socket.onerror = (e) => {
      live.dropped = e instanceof ErrorEvent ? e.message : "WebSocket error";
    };
  }

  #register(live: Live): void {
    this.#live.set(live.info.connectionId, live);
    let set = this.#byEndpoint.get(live.endpoint);
    if (!set) this.#byEndpoint.set(live.endpoint, set = new Set());
    set.add(live.info.connectionId);
  }

  #unregister(live: Live): void {
    this.#live.delete(live.info.connectionId);
    this.#byEndpoint.get(live.endpoint)?.delete(live.info.connectionId);
  }

  async #connect(live: Live, spec: SocketSpec): Promise<void> {
    const parts = this.#parts();
    const trace = this.#phaseTrace(parts, spec, live, "connect");
    const input: InvocationInput = { kind: "ws_connect", connection: live.info };
    const call = { live, spec, trace, input, reply: "sender", triggers: false } as const;
    const failed = await this.#runHandlers(parts, call, { handlers: spec.onConnect, stop: true });
    if (failed === null) return trace.end("success");
    trace.end("failed", `Connect handler "${failed.name}" failed`);
    this.#close(live, CLOSE_CODES.handlerError, "Connect handler failed");
  }

  async #message(live: Live, spec: SocketSpec, raw: unknown): Promise<void> {
    const parts = this.#parts();
    if (typeof raw !== "string") {
      this.send(live.info.connectionId, { error: "Binary frames are not supported" });
      return;
    }
    if (raw.length > parts.config.server.max_body_bytes) {
      this.#close(live, CLOSE_CODES.tooBig, "Message too big");
      return;
    }
    const trace = this.#phaseTrace(parts, spec, live, "message");
    const data = parseFrame(raw);
    if (exceedsJsonDepth(data, { limit: MAX_JSON_DEPTH, bytes: raw.length })) {
      const error = `Message nests deeper than ${MAX_JSON_DEPTH} levels`;
      trace.end("failed", error);
      this.send(live.info.connectionId, { error, trace_id: trace.id });
      return;
    }
    if (!this.#validated(parts, { live, spec, trace, data })) return;
    const message = { data, timestamp: new Date().toISOString() };
    const input: InvocationInput = { kind: "ws_message", message, connection: live.info };
    const reply = spec.broadcast ? "all" : "sender";
    const call = { live, spec, trace, input, reply, triggers: true } as const;
    const failed = await this.#runHandlers(parts, call, { handlers: spec.onMessage, stop: false });
    trace.end(failed === null ? "success" : "failed");
  }

  /** Validates a message against the endpoint's `message` type
   * (docs/compatibility.md#the-hello-world-example H10): an invalid one is a failed `validation`
   * step, a failed trace and an error frame; the connection stays open. */
  #validated(parts: EngineParts, arg: ValidationCall): boolean {
    const started = new Date();
    const type = arg.spec.messageType;
    const issues = validateValue(arg.data, {
      validators: parts.validators,
      type,
      unknownFields: parts.config.server.unknown_fields,
    });
    if (!issues) return true;
    const error = `Message does not match "${arg.spec.messageType}"`;
    const detail = `${error}: ${
      issues.map((i) => `${i.path || "(root)"} ${i.message}`).join("; ")
    }`;
    arg.trace.addStep(failedStep("validation", started, detail));
    arg.trace.end("failed", detail);
    this.send(arg.live.info.connectionId, { error, details: issues, trace_id: arg.trace.id });
    return false;
  }

  async #disconnect(live: Live, spec: SocketSpec): Promise<void> {
    const parts = this.#parts();
    const trace = this.#phaseTrace(parts, spec, live, "disconnect");
    const input: InvocationInput = { kind: "ws_disconnect", connection: live.info };
    const call = { live, spec, trace, input, reply: "none", triggers: false } as const;
    // The connection is gone: a failed disconnect handler is recorded in its step, not the phase.
    await this.#runHandlers(parts, call, { handlers: spec.onDisconnect, stop: false });
    trace.end("success");
  }

  /** Runs a phase's handlers in order; returns the first that failed, or null. */
  async #runHandlers(
    parts: EngineParts,
    call: Omit<PhaseCall, "handler">,
    options: { handlers: readonly HandlerRef[]; stop: boolean },
  ): Promise<HandlerRef | null> {
    let failed: HandlerRef | null = null;
    for (const handler of options.handlers) {
      if (await this.#run(parts, { ...call, handler })) continue;
      failed ??= handler;
      if (options.stop) break;
    }
    return failed;
  }

  #phaseTrace(parts: EngineParts, spec: SocketSpec, live: Live, phase: Phase): ActiveTrace {
    const metadata: Record<string, string> = {
      path: spec.path,
      connection_id: live.info.connectionId,
    };
    if (phase === "disconnect" && live.dropped !== undefined) metadata.dropped = live.dropped;
    return parts.telemetry.startTrace({
      entryPoint: `${spec.name} (${phase})`,
      entryType: "websocket",
      metadata,
    });
  }

  async #run(parts: EngineParts, call: PhaseCall): Promise<boolean> {
    const result = await invokeHandler(parts, {
      handler: call.handler,
      input: call.input,
      trace: call.trace,
    });
    if (!result.ok) {
      const f = clientFailure(result, parts.mode);
      this.send(call.live.info.connectionId, { error: f.message, trace_id: call.trace.id });
      return false;
    }
    const failure = await this.#applyEffects(call, result.effects) ??
      (call.triggers ? await this.#publish(parts, call, result) : null);
    if (failure !== null) {
      this.send(call.live.info.connectionId, { error: failure, trace_id: call.trace.id });
      return false;
    }
    const value = result.output.kind === "json" ? result.output.value : null;
    if (value === null || value === undefined) return true;
    const failed = await this.#reply(call, value);
    if (failed !== null) {
      this.send(call.live.info.connectionId, { error: failed, trace_id: call.trace.id });
      return false;
    }
    return true;
  }

  #publish(parts: EngineParts, call: PhaseCall, result: HandlerSuccess): Promise<string | null> {
    // Its socket messages were delivered already (#applyEffects).
    const publications = planTriggers(result.effects, call.spec.triggers, result.output, {
      sockets: false,
    });
    return publishFailure(() =>
      publishStep(parts.publisher, publications, {
        source: `ws:${call.spec.name}`,
        trace: call.trace,
        step: call.spec.name,
      })
    );
  }

  /** Answers with the handler's value; the failure's message when a broadcast could not go out. */
  #reply(call: PhaseCall, value: unknown): Promise<string | null> {
    switch (call.reply) {
      case "none":
        return Promise.resolve(null);
      case "all":
        return this.#dispatch(call, {
          kind: "broadcast",
          endpoint: call.spec.name,
          message: value,
        });
      case "sender":
        this.send(call.live.info.connectionId, value);
        return Promise.resolve(null);
      default:
        return call.reply satisfies never;
    }
  }

  /** Delivers the handler's sends and broadcasts in call order; the first failure's message. */
  async #applyEffects(call: PhaseCall, effects: readonly Effect[]): Promise<string | null> {
    for (const e of effects) {
      const message = e.kind === "broadcast" && e.to === undefined
        ? { kind: "broadcast", endpoint: call.spec.name, message: e.message } as const
        : socketMessageOf(e);
      if (message === null) continue;
      const failed = await this.#dispatch(call, message);
      if (failed !== null) return failed;
    }
    return null;
  }

  async #dispatch(call: PhaseCall, message: SocketMessage): Promise<string | null> {
    try {
      await this.#fanout().dispatch(message, {
        parentId: call.trace.id,
        source: `ws:${call.spec.name}`,
      });
      return null;
    } catch (error) {
      const text = `Cannot deliver a WebSocket message: ${
        (error as Error).message ?? String(error)
      }`;
      call.trace.addStep(failedStep(`${call.spec.name} sockets`, new Date(), text));
      return this.#parts().mode === "dev" || error instanceof SocketTargetError
        ? text
        : "Cannot deliver a WebSocket message";
    }
  }

  #close(live: Live, code: number, reason: string): void {
    try {
      live.socket.close(code, reason);
    } catch {
      // Already closed.
    }
  }
}

interface PhaseCall {
  live: Live;
  spec: SocketSpec;
  trace: ActiveTrace;
  handler: HandlerRef;
  input: InvocationInput;
  reply: "sender" | "all" | "none";
  triggers: boolean;
}

/** The traced phases of a connection after its upgrade. */
type Phase = "connect" | "message" | "disconnect";

type HandlerSuccess = Extract<InvocationResult, { ok: true }>;

interface ValidationCall {
  live: Live;
  spec: SocketSpec;
  trace: ActiveTrace;
  data: unknown;
}

/** A failed trace step that is not a handler call (such as `validation`). */
function failedStep(name: string, started: Date, error: string): TraceStep {
  return {
    name,
    path: name,
    bucket: name,
    handler_name: name,
    duration_ms: Date.now() - started.getTime(),
    success: false,
    error,
    timestamp: started.toISOString(),
  };
}

/** Delivers a message to the hub's own connections. */
function deliverHere(hub: SocketHub, message: SocketMessage): void {
  if (message.kind === "send") hub.send(message.connectionId, message.message);
  else hub.broadcast(message.endpoint, message.message);
}

/** Text frames are JSON; anything else is wrapped as `{data: <text>}`, as the original does. */
function parseFrame(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return { data: raw };
  }
}
