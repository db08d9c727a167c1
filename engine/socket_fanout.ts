/**
 * Socket messages across instances (ARCHITECTURE.md, WebSocket flow): a `broadcast: true` reply,
 * `state.broadcast` and `state.send` reach the connections of every instance that shares the
 * broker. Each instance delivers to its own connections directly and publishes the message once to
 * {@linkcode SOCKETS_TOPIC}, which every instance consumes in a consumer group of its own
 * (`<project>.__sockets.<instance id>`, transient: the broker removes it once the instance is gone),
 * so each gets every message once; an instance skips what it published itself (it delivered that already). On the memory, rocksdb and denokv adapters (one
 * instance, or isolates a `BroadcastChannel` relay joins: deploy/) nothing leaves the process. An edge process relays its handlers' messages to its main process,
 * which owns the connections.
 *
 * @module
 */

import { RohasError } from "../errors.ts";
import type { EventEnvelope } from "../adapters/mod.ts";
import type { Effect } from "./runtime/contract.ts";
import type { PublishOptions } from "./parts.ts";

/** The topic socket messages travel on between instances (no schema event can be named so). */
export const SOCKETS_TOPIC = "__rohas_sockets";

/** How long a message may travel: an instance that was down gets no stale broadcasts. */
const MAX_AGE_MS = 30_000;
/** How many message keys an instance remembers to drop redeliveries. */
const MAX_SEEN = 50_000;

/** A message for WebSocket connections: every one of an endpoint, or one by id. */
export type SocketMessage =
  | { kind: "broadcast"; endpoint: string; message: unknown }
  | { kind: "send"; connectionId: string; message: unknown };

/**
 * Where socket messages go: `local` (one instance: delivered in this process), `broker` (delivered
 * here and published to the other instances), `relay` (an edge: published to the main process).
 */
export type SocketRoute = "local" | "broker" | "relay";

/** A socket message that cannot be delivered: it names an endpoint the schema does not declare. */
export class SocketTargetError extends RohasError {
  /** @param message names the endpoint and the known ones */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SocketTargetError";
  }
}

/** The connections of this process (engine/socket_hub.ts `SocketHub` satisfies it). */
export interface LocalSockets {
  /** Sends to one connection; false when it is not here. */
  send(connectionId: string, message: unknown): boolean;
  /** Sends to every connection of an endpoint here; returns how many got it. */
  broadcast(endpoint: string, message: unknown): number;
}

/** What the fan-out needs of the event bus. */
export interface SocketBus {
  /** Publishes; resolves once the adapter accepted it. */
  publish(topic: string, payload: unknown, options: PublishOptions): Promise<unknown>;
  /** Subscribes a consumer group; the fan-out's is `transient` (adapters/adapter.ts). */
  subscribe(
    topic: string,
    group: string,
    handler: (envelope: EventEnvelope) => Promise<void>,
    options: { transient: true },
  ): Promise<{ close(): Promise<void> }>;
}

/** Options of {@linkcode SocketFanout}. */
export interface SocketFanoutOptions {
  /** Where messages go. */
  route: SocketRoute;
  /** This instance's id (its connection ids start with it). */
  instanceId: string;
  /** The project name (the consumer group's prefix). */
  project: string;
  /** The connections of this process. */
  local: LocalSockets;
  /** The event bus. */
  bus: SocketBus;
  /** The WebSocket endpoints the current model declares. */
  endpoints: () => ReadonlySet<string>;
}

/**
 * The socket message an effect asks for, or null: `send`, and `broadcast` with its endpoint (one
 * without is refused where the handler ran, see engine/_invoke.ts).
 *
 * @param effect a handler's effect
 * @returns the message, or null for other effects
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { socketMessageOf } from "./socket_fanout.ts";
 * const m = socketMessageOf({ kind: "broadcast", message: 1, to: "Room" });
 * assertEquals(m, { kind: "broadcast", endpoint: "Room", message: 1 });
 * ```
 */
export function socketMessageOf(effect: Effect): SocketMessage | null {
  if (effect.kind === "send") {
    return { kind: "send", connectionId: effect.connectionId, message: effect.message };
  }
  if (effect.kind === "broadcast" && effect.to !== undefined) {
    return { kind: "broadcast", endpoint: effect.to, message: effect.message };
  }
  return null;
}

/**
 * The id of a new connection of instance `instanceId`: it names the instance, so a send from
 * anywhere knows whether the connection is (or was) here.
 *
 * @param instanceId this instance's id
 * @returns `<instance id>~<uuid>`
 */
export function newConnectionId(instanceId: string): string {
  return `${instanceId}~${crypto.randomUUID()}`;
}

/** Delivers socket messages here and to the other instances. */
export class SocketFanout {
  #options: SocketFanoutOptions;
  #seen = new Map<string, number>();
  #subscription: { close(): Promise<void> } | null = null;

  /**
   * Creates the fan-out of one engine.
   *
   * @param options the route, this instance, the local connections and the bus
   */
  constructor(options: SocketFanoutOptions) {
    this.#options = options;
  }

  /** The consumer group of this instance. */
  get group(): string {
    return `${this.#options.project}.__sockets.${this.#options.instanceId}`;
  }

  /**
   * Starts consuming the other instances' messages (the broker route only). The group is
   * transient: its name dies with this process (the default instance id holds the pid), so the
   * broker removes it when it closes or the process dies, instead of queueing every socket message
   * of the cluster for it forever.
   */
  async start(): Promise<void> {
    if (this.#options.route !== "broker" || this.#subscription) return;
    this.#subscription = await this.#options.bus.subscribe(
      SOCKETS_TOPIC,
      this.group,
      (envelope) => Promise.resolve(this.#received(envelope)),
      { transient: true },
    );
  }

  /** Stops consuming; in-flight deliveries finish. */
  async close(): Promise<void> {
    const subscription = this.#subscription;
    this.#subscription = null;
    await subscription?.close();
  }

  /**
   * Delivers a message to its connections wherever they are; resolves once this process delivered
   * its share and the broker accepted the rest.
   *
   * @param payload a {@linkcode SocketMessage}
   * @param options the cause, as for an event publish
   * @throws SocketTargetError for an endpoint the schema does not declare or a malformed message
   */
  async dispatch(payload: unknown, options: PublishOptions): Promise<void> {
    const message = this.#checked(payload);
    const { route, bus, local } = this.#options;
    switch (route) {
      case "relay":
        await bus.publish(SOCKETS_TOPIC, message, options);
        return;
      case "local":
        deliver(local, message);
        return;
      case "broker":
        if (message.kind === "send" && this.#ownsConnection(message.connectionId)) {
          local.send(message.connectionId, message.message);
          return;
        }
        deliver(local, message);
        await bus.publish(
          SOCKETS_TOPIC,
          { ...message, origin: this.#options.instanceId },
          options,
        );
        return;
      default:
        return route satisfies never;
    }
  }

  #ownsConnection(connectionId: string): boolean {
    return connectionId.startsWith(`${this.#options.instanceId}~`);
  }

  #checked(payload: unknown): SocketMessage {
    const m = payload as Partial<SocketMessage> | null;
    if (m?.kind === "send" && typeof m.connectionId === "string") return m as SocketMessage;
    if (m?.kind !== "broadcast" || typeof m.endpoint !== "string") {
      throw new SocketTargetError("Cannot deliver a socket message: it is malformed");
    }
    const endpoints = this.#options.endpoints();
    if (endpoints.has(m.endpoint)) return m as SocketMessage;
    const known = [...endpoints].map((e) => `"${e}"`).join(", ") || "none";
    throw new SocketTargetError(
      `Cannot broadcast to WebSocket endpoint "${m.endpoint}": it is not declared (known: ${known})`,
    );
  }

  /**
   * Another instance's message, once per key, unless it is stale. This instance's own were
   * delivered when published: by this process, and by the hub's relay to the isolates it shares
   * the instance with, which share its consumer group too (`deno serve --parallel`).
   */
  #received(envelope: EventEnvelope): void {
    const payload = envelope.payload as (SocketMessage & { origin?: string }) | null;
    if (!payload || payload.origin === this.#options.instanceId) return;
    if (Date.now() - Date.parse(envelope.timestamp) > MAX_AGE_MS) return;
    const key = envelope.metadata.idempotency_key ?? envelope.id;
    if (this.#seen.has(key)) return;
    this.#remember(key);
    deliver(this.#options.local, payload);
  }

  #remember(key: string): void {
    const now = Date.now();
    this.#seen.set(key, now);
    if (this.#seen.size <= MAX_SEEN) return;
    for (const [k, at] of this.#seen) {
      if (now - at <= MAX_AGE_MS && this.#seen.size <= MAX_SEEN / 2) break;
      this.#seen.delete(k);
    }
  }
}

function deliver(local: LocalSockets, message: SocketMessage): void {
  switch (message.kind) {
    case "broadcast":
      local.broadcast(message.endpoint, message.message);
      return;
    case "send":
      local.send(message.connectionId, message.message);
      return;
    default:
      return message satisfies never;
  }
}
