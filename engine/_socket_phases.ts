/**
 * The phases of a WebSocket connection after its upgrade (connect, each message, disconnect): each
 * traced, its handlers run in order, and what they return or ask for delivered: replies to the
 * sender or to every connection of the endpoint, `state.send` and `state.broadcast` through the
 * fan-out (engine/socket_fanout.ts), triggered events published.
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
import { validateValue } from "./_http_util.ts";
import { exceedsJsonDepth, MAX_JSON_DEPTH } from "../_json_depth.ts";
import { invokeHandler } from "./_invoke.ts";
import { clientFailure } from "./_failure.ts";
import { planTriggers, publishFailure, publishStep } from "./triggers.ts";
import {
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

/** A connection after its upgrade, as the hub keeps it. */
export interface Live {
  socket: WebSocket;
  info: ConnectionInfo;
  endpoint: string;
  /** Messages of one connection are handled one at a time, in order. */
  queue: Promise<void>;
  /** Why Deno dropped the connection, when it did (such as a text frame that is not UTF-8). */
  dropped?: string;
}

/** What {@linkcode SocketPhases} needs from its hub. */
export interface PhaseOptions {
  /** Sends a JSON message to one connection of this hub; false when it is gone. */
  send: (connectionId: string, message: unknown) => boolean;
  /** Delivers broadcasts and sends here and on the other instances. */
  fanout: () => Pick<SocketFanout, "dispatch">;
}

/** Runs the phases of the hub's connections. */
export class SocketPhases {
  #parts: () => EngineParts;
  #send: (connectionId: string, message: unknown) => boolean;
  #fanout: () => Pick<SocketFanout, "dispatch">;

  /**
   * @param parts the current engine parts (read at each phase, so reloads take effect)
   * @param options how to reach the hub's connections and the other instances
   */
  constructor(parts: () => EngineParts, options: PhaseOptions) {
    this.#parts = parts;
    this.#send = options.send;
    this.#fanout = options.fanout;
  }

  /** The connect phase: its handlers in order; the first that fails closes the connection. */
  async connect(live: Live, spec: SocketSpec): Promise<void> {
    const parts = this.#parts();
    const trace = this.#phaseTrace(parts, spec, live, "connect");
    const input: InvocationInput = { kind: "ws_connect", connection: live.info };
    const call = { live, spec, trace, input, reply: "sender", triggers: false } as const;
    const failed = await this.#runHandlers(parts, call, { handlers: spec.onConnect, stop: true });
    if (failed === null) return trace.end("success");
    trace.end("failed", `Connect handler "${failed.name}" failed`);
    closeSocket(live, CLOSE_CODES.handlerError, "Connect handler failed");
  }

  /** One message: checked, validated, then handed to every message handler in order. */
  async message(live: Live, spec: SocketSpec, raw: unknown): Promise<void> {
    const parts = this.#parts();
    if (typeof raw !== "string") {
      this.#send(live.info.connectionId, { error: "Binary frames are not supported" });
      return;
    }
    if (raw.length > parts.config.server.max_body_bytes) {
      closeSocket(live, CLOSE_CODES.tooBig, "Message too big");
      return;
    }
    const trace = this.#phaseTrace(parts, spec, live, "message");
    const data = parseFrame(raw);
    if (exceedsJsonDepth(data, { limit: MAX_JSON_DEPTH, bytes: raw.length })) {
      const error = `Message nests deeper than ${MAX_JSON_DEPTH} levels`;
      trace.end("failed", error);
      this.#send(live.info.connectionId, { error, trace_id: trace.id });
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
    this.#send(arg.live.info.connectionId, { error, details: issues, trace_id: arg.trace.id });
    return false;
  }

  /** The disconnect phase: every handler runs, whatever the others did. */
  async disconnect(live: Live, spec: SocketSpec): Promise<void> {
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
      this.#send(call.live.info.connectionId, { error: f.message, trace_id: call.trace.id });
      return false;
    }
    const failure = await this.#applyEffects(call, result.effects) ??
      (call.triggers ? await this.#publish(parts, call, result) : null);
    if (failure !== null) {
      this.#send(call.live.info.connectionId, { error: failure, trace_id: call.trace.id });
      return false;
    }
    const value = result.output.kind === "json" ? result.output.value : null;
    if (value === null || value === undefined) return true;
    const failed = await this.#reply(call, value);
    if (failed !== null) {
      this.#send(call.live.info.connectionId, { error: failed, trace_id: call.trace.id });
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
        this.#send(call.live.info.connectionId, value);
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

/** Text frames are JSON; anything else is wrapped as `{data: <text>}`, as the original does. */
function parseFrame(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return { data: raw };
  }
}

function closeSocket(live: Live, code: number, reason: string): void {
  try {
    live.socket.close(code, reason);
  } catch {
    // Already closed.
  }
}
