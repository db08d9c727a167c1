/**
 * What the test kit records: the parts it hands `createApp` (an adapter, a telemetry, a `Kv`) are
 * the real ones, each wrapped to remember what went through it.
 *
 * @module
 */

import type { Adapter, EventEnvelope } from "../adapters/mod.ts";
import type { LogEntry, Telemetry } from "../telemetry/mod.ts";
import type { Kv, KvAtomic, KvKey, KvListOptions } from "../state/mod.ts";
import type { SocketHub } from "../engine/mod.ts";

/** An event published while the test app ran (by a handler's trigger, or by the test). */
export interface PublishedEvent {
  /** The event name. */
  topic: string;
  /** Its payload. */
  payload: unknown;
  /** Who published it: `api:<Name>`, `event:<Name>`, `cron:<Name>`, `ws:<Name>`, `test`. */
  source: string;
}

/** A write to `state.kv`. */
export type KvWrite =
  | { op: "set"; key: KvKey; value: unknown }
  | { op: "delete"; key: KvKey };

/** A message the WebSocket hub sent: to one connection, or to every connection of an endpoint. */
export type SocketDelivery =
  | { kind: "send"; connectionId: string; message: unknown }
  | { kind: "broadcast"; endpoint: string; message: unknown };

/** Everything recorded, in order. */
export interface Captured {
  events: PublishedEvent[];
  logs: LogEntry[];
  kvWrites: KvWrite[];
  sockets: SocketDelivery[];
}

/** The adapter, publishing through `inner` and recording each envelope. */
export function recordingAdapter(inner: Adapter, into: PublishedEvent[]): Adapter {
  return {
    type: inner.type,
    guarantees: inner.guarantees,
    start: () => inner.start(),
    publish: async (envelope: EventEnvelope) => {
      await inner.publish(envelope);
      const { topic, payload, metadata } = envelope;
      into.push({ topic, payload, source: metadata.source });
    },
    subscribe: (topic, group, handler, options) => inner.subscribe(topic, group, handler, options),
    listDeadLetters: (topic) => inner.listDeadLetters(topic),
    replayDeadLetters: (topic, options) => inner.replayDeadLetters(topic, options),
    ...(inner.deadLetter
      ? {
        deadLetter: (e: EventEnvelope, g: string, error: string) => inner.deadLetter!(e, g, error),
      }
      : {}),
    ...(inner.drain ? { drain: (timeoutMs: number) => inner.drain!(timeoutMs) } : {}),
    close: () => inner.close(),
  };
}

/** The telemetry, recording through `inner` and keeping each log entry. */
export function recordingTelemetry(inner: Telemetry, into: LogEntry[]): Telemetry {
  return {
    startTrace: (options) => inner.startTrace(options),
    log: (entry) => {
      into.push(entry);
      inner.log(entry);
    },
    metric: (sample) => inner.metric(sample),
    close: () => inner.close(),
  };
}

/** The store, keeping each write (`set`, `delete`, and those of a committed `atomic()`). */
export function recordingKv(inner: Kv, into: KvWrite[]): Kv {
  return {
    type: inner.type,
    get: <T>(key: KvKey) => inner.get<T>(key),
    list: <T>(selector: { prefix: KvKey }, options?: KvListOptions) =>
      inner.list<T>(selector, options),
    set: async (key, value, options) => {
      const result = await inner.set(key, value, options);
      record(into, { op: "set", key, value });
      return result;
    },
    delete: async (key) => {
      await inner.delete(key);
      record(into, { op: "delete", key });
    },
    atomic: () => recordingAtomic(inner.atomic(), into),
  };
}

/** Records a handler's write; the engine's own entries (`["_rohas", …]`, delayed events) are not. */
function record(into: KvWrite[], write: KvWrite): void {
  if (write.key[0] !== "_rohas") into.push(write);
}

function recordingAtomic(inner: KvAtomic, into: KvWrite[]): KvAtomic {
  const pending: KvWrite[] = [];
  const atomic: KvAtomic = {
    check: (...checks) => {
      inner.check(...checks);
      return atomic;
    },
    set: (key, value, options) => {
      inner.set(key, value, options);
      pending.push({ op: "set", key, value });
      return atomic;
    },
    delete: (key) => {
      inner.delete(key);
      pending.push({ op: "delete", key });
      return atomic;
    },
    commit: async () => {
      const result = await inner.commit();
      if (result.ok) { for (const write of pending) record(into, write); }
      return result;
    },
  };
  return atomic;
}

/**
 * Records what the hub delivers. The hub is the engine's own; its `send` and `broadcast` are
 * wrapped on this instance only, so what the test sees is what real connections are sent.
 */
export function recordSockets(hub: SocketHub, into: SocketDelivery[]): void {
  const send = hub.send.bind(hub);
  const broadcast = hub.broadcast.bind(hub);
  hub.send = (connectionId, message) => {
    into.push({ kind: "send", connectionId, message });
    return send(connectionId, message);
  };
  hub.broadcast = (endpoint, message) => {
    into.push({ kind: "broadcast", endpoint, message });
    return broadcast(endpoint, message);
  };
}
