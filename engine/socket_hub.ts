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

import type { ActiveTrace } from "../telemetry/mod.ts";
import type { SocketSpec } from "./app_model.ts";
import type { ConnectionInfo } from "./runtime/contract.ts";
import type { EngineParts } from "./parts.ts";
import { errorResponse, headersRecord, parseQuery, TRACE_HEADER } from "./_http_util.ts";
import { runMiddlewares } from "./_middlewares.ts";
import { newConnectionId, type SocketFanout, type SocketMessage } from "./socket_fanout.ts";
import { CLOSE_CODES, type Live, SocketPhases } from "./_socket_phases.ts";
import { AdmissionTickets, ADMIT_HEADER, TICKET_HEADER } from "./_socket_tickets.ts";

export { CLOSE_CODES } from "./_socket_phases.ts";
export { ADMIT_HEADER, TICKET_HEADER, TICKET_PARAM } from "./_socket_tickets.ts";

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
  #phases: SocketPhases;
  #live = new Map<string, Live>();
  #byEndpoint = new Map<string, Set<string>>();
  #tickets = new AdmissionTickets();
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
    const fanout = options.fanout ?? (() => here);
    this.#phases = new SocketPhases(parts, {
      send: (id, message) => this.send(id, message),
      fanout,
    });
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
    if (upgrading && this.#tickets.redeem(request.url, spec.name)) {
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
    const ticket = this.#tickets.issue(spec.name);
    trace.end("success");
    return new Response(null, {
      status: 204,
      headers: { [TICKET_HEADER]: ticket, [TRACE_HEADER]: trace.id },
    });
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
      enqueue(() => this.#phases.connect(live, spec));
    };
    socket.onmessage = (e) => enqueue(() => this.#phases.message(live, spec, e.data));
    socket.onclose = () => {
      this.#unregister(live);
      enqueue(() => this.#phases.disconnect(live, spec));
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
}

/** Delivers a message to the hub's own connections. */
function deliverHere(hub: SocketHub, message: SocketMessage): void {
  if (message.kind === "send") hub.send(message.connectionId, message.message);
  else hub.broadcast(message.endpoint, message.message);
}
