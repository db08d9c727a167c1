/**
 * The main process <-> edge process protocol. An edge process serves the public port (with
 * `reusePort`, beside the other edges) and runs the default profile's handlers in its own isolate;
 * everything else reaches the main process, either as an HTTP request to its internal listener or
 * as one of these messages, sent as JSON lines over the edge's control connection
 * (`_channel.ts`).
 *
 * @module
 */

import type { Schema } from "../../parser/mod.ts";
import type { RohasConfig } from "../../project/mod.ts";
import type { AppModel } from "../app_model.ts";
import type { EngineMode, PublishOptions } from "../parts.ts";
import type { SerializedError } from "../runtime/contract.ts";
import type { PayloadIssue } from "../events/payload_check.ts";
import type { SeriesSnapshot } from "../../telemetry/mod.ts";
import type { PersistedRecords, TelemetryEvent } from "../../telemetry/mod.ts";
import type { KvRequest, KvResponse } from "../../state/mod.ts";

/** Everything an edge needs to serve, sent once, first. */
export interface InitMessage {
  type: "init";
  /** Absolute project root. */
  root: string;
  config: RohasConfig;
  /** The validated schema: the edge compiles its own validators from it. */
  schema: Schema;
  model: AppModel;
  mode: EngineMode;
  /** Handler files this edge runs itself (the default profile's TypeScript handlers). */
  files: string[];
  /** Indexes in `model.routes` of the routes this edge serves itself (when their files load). */
  routes: number[];
  /** Where to listen: the public address, shared by every edge. */
  listen: { hostname: string; port: number };
  /**
   * The main process's internal listener, and the token that proves a request came from an edge.
   * `config` comes without secrets the edge does not need (the workbench key, the adapter's and
   * telemetry store's settings).
   */
  internal: { url: string; token: string };
  /** How often the edge says it still turns (`beat`). */
  heartbeatMs: number;
  /** How many edges serve: each keeps its share of the app's telemetry limits. */
  edges: number;
  /**
   * Where the edge's recorder keeps what it records. Either way it counts its own metrics (sent as
   * `series` each second), answers `read`s and streams its events while watched. `local`: in a
   * memory store of its own (memory and prometheus telemetry); `forward`: its batches go to the
   * main process as `records`, which writes them to the project's store (stores one process owns,
   * such as rocksdb, or shared databases).
   */
  telemetry: "local" | "forward";
}

/** Stop accepting, finish what is in flight, flush telemetry, then say `drained`. */
export interface DrainMessage {
  type: "drain";
  /** How long in-flight requests get. */
  timeoutMs: number;
}

/** The main isolate's answer to a {@linkcode PublishMessage}. */
export interface PublishedMessage {
  type: "published";
  id: number;
  error?: SerializedError;
  /** Set when the bus refused the payload: the edge answers the API call as the main process would. */
  refused?: { event: string; payloadType: string; issues: PayloadIssue[] };
  /**
   * The answer to a {@linkcode PublishSeriesMessage}: `[start, duration]` (ms) of each accepted
   * publication; `error` and `refused` then describe the one after them.
   */
  accepted?: [number, number][];
}

/** A query of an edge's own telemetry (dates as milliseconds since the epoch). */
export type TelemetryRead =
  | { kind: "traces"; query: WireQuery }
  | { kind: "trace"; id: string }
  | { kind: "logs"; query: WireQuery }
  | { kind: "samples"; query: WireQuery };

/** A telemetry query as it crosses: `since`/`until` in milliseconds. */
export type WireQuery = Record<string, string | number | undefined>;

/** Read the edge's telemetry; answered by `answer`. */
export interface ReadMessage {
  type: "read";
  id: number;
  read: TelemetryRead;
}

/** Start (or stop) sending the edge's telemetry events as they happen (a live view is open). */
export interface WatchMessage {
  type: "watch";
  on: boolean;
  /** Only log entries (every watcher is a terminal, none a workbench view). Default false. */
  logsOnly?: boolean;
}

/** The main process's answer to a {@linkcode KvAskMessage}: the response, or the error. */
export interface KvAnswerMessage {
  type: "kv_answer";
  id: number;
  response?: KvResponse;
  error?: SerializedError;
}

/** A message to an edge. */
export type ToEdge =
  | InitMessage
  | DrainMessage
  | PublishedMessage
  | ReadMessage
  | WatchMessage
  | KvAnswerMessage;

/**
 * What the main process writes to an edge's stdin (one JSON line, then end of input): where its
 * control listener is, which slot the edge fills, and the secret that proves it in its hello.
 */
export interface LaunchMessage {
  port: number;
  slot: number;
  secret: string;
}

/** The first message of an edge: which one it is, with the secret it was handed on its stdin. */
export interface HelloMessage {
  type: "hello";
  slot: number;
  secret: string;
}

/** The edge's event loop still turns. */
export interface BeatMessage {
  type: "beat";
}

/** The edge listens (or could not: `error`). */
export interface ListeningMessage {
  type: "listening";
  error?: SerializedError;
}

/** Publish one event through the main isolate's bus; answered by `published` once accepted. */
export interface PublishMessage {
  type: "publish";
  id: number;
  topic: string;
  payload: unknown;
  options: PublishOptions;
}

/**
 * Publish several events in order, each accepted before the next, stopping at the first that fails
 * (a handler's triggers): one round trip instead of one per event; answered by one `published`. A
 * long series comes in parts of one `id`, each but the last with `more`: the main process
 * publishes a part while the edge encodes the next.
 */
export interface PublishSeriesMessage {
  type: "publish_series";
  id: number;
  items: WireSeriesItem[];
  /** Another part of this series follows. Default: this is the last. */
  more?: true;
  /**
   * The edge gave up the rest of the series (a payload JSON cannot write): the main process
   * publishes nothing more of it. Default: no.
   */
  abandoned?: true;
}

/**
 * A publication of a series as it travels: `options` only where they differ from the publication
 * before it other than by the idempotency key (a handler's triggers share their cause and source),
 * so 10,000 triggers do not carry 10,000 copies of them (`engine/edge/_series.ts`).
 */
export interface WireSeriesItem {
  topic: string;
  payload: unknown;
  /** Its options; absent: those of the publication before it, with `key` as idempotency key. */
  options?: PublishOptions;
  /** Its idempotency key, when `options` is absent. */
  key?: string;
}

/**
 * Records an edge's recorder wrote (`forward` telemetry): the main process writes them to the
 * project's store as they are. Its recorder already counted them in its metrics and applied its
 * share of `max_persisted_per_second`.
 */
export interface RecordsMessage extends PersistedRecords {
  type: "records";
}

/** The answer to a `read`. */
export interface AnswerMessage {
  type: "answer";
  id: number;
  value?: unknown;
  error?: SerializedError;
}

/** The edge's live metric series, sent every second while it keeps its own telemetry. */
export interface SeriesMessage {
  type: "series";
  series: SeriesSnapshot[];
}

/** Telemetry events of the edge, while watched. */
export interface EventsMessage {
  type: "events";
  events: TelemetryEvent[];
}

/** The edge streams its telemetry events from now on (the answer to `watch` on). */
export interface WatchingMessage {
  type: "watching";
}

/** The edge stopped serving (after a `drain`). */
export interface DrainedMessage {
  type: "drained";
}

/**
 * A `state.kv` operation of a handler on the edge: the main process owns the store and answers with
 * `kv_answer`. The edge never opens the store itself (that would widen its permissions and hand
 * its handlers the store's credentials).
 */
export interface KvAskMessage {
  type: "kv";
  id: number;
  request: KvRequest;
}

/** A message from an edge. */
export type FromEdge =
  | HelloMessage
  | BeatMessage
  | ListeningMessage
  | PublishMessage
  | PublishSeriesMessage
  | RecordsMessage
  | AnswerMessage
  | SeriesMessage
  | EventsMessage
  | WatchingMessage
  | DrainedMessage
  | KvAskMessage;

/** The header an edge sets on every request it forwards: the internal token. */
export const INTERNAL_HEADER = "x-rohas-edge";
/** The header an edge sets on every request it forwards: the client's `host:port`. */
export const PEER_HEADER = "x-rohas-peer";
/**
 * The header an edge sets on every request it forwards: the `Host` the client sent (`fetch`
 * replaces it with the internal listener's), which the workbench checks against DNS rebinding.
 */
export const HOST_HEADER = "x-rohas-host";
