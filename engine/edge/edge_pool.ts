/**
 * The main process's side of the edges: it starts `count` edge processes on one port, answers
 * their publishes through the event bus, hands their telemetry to the project's recorder, replaces
 * one that died or stopped turning (a handler stuck in a loop: killing the process closes its
 * listener and connections, which terminating a Worker does not), and drains them on shutdown.
 *
 * @module
 */

import type { Schema } from "../../parser/mod.ts";
import type { RohasConfig } from "../../project/mod.ts";
import type { AppModel } from "../app_model.ts";
import type { EngineMode, PublishOptions, SeriesItem, SeriesOutcome } from "../parts.ts";
import { SeriesRun } from "./_series.ts";
import { resolveProfile } from "../runtime/mod.ts";
import { serializeError } from "../runtime/protocol.ts";
import { LineChannel } from "./_channel.ts";
import { edgeShare } from "./_local.ts";
import { permissionFlags } from "./_flags.ts";
import { randomSecret, sameSecret } from "./_secret.ts";
import { EdgeError } from "./errors.ts";
import type {
  FromEdge,
  InitMessage,
  PublishedMessage,
  PublishMessage,
  PublishSeriesMessage,
  RecordsMessage,
  TelemetryRead,
  ToEdge,
} from "./protocol.ts";
import { InvalidEventPayloadError, type PayloadIssue } from "../events/mod.ts";
import type { SeriesSnapshot } from "../../telemetry/mod.ts";
import type { TelemetryEvent } from "../../telemetry/mod.ts";
import type { KvResponse } from "../../state/mod.ts";

const EDGE_ENTRY = new URL("./edge_main.ts", import.meta.url).href;

/** How often an edge beats, and how often the watchdog looks. */
const HEARTBEAT_MS = 250;
/** The longest line a peer may send before its hello proves it is an edge (a hello is ~100). */
const HELLO_MAX_LINE = 1_024;
/** The longest line an edge may send (telemetry batches). */
const EDGE_MAX_LINE = 1 << 28;
/** How long a peer has to say hello. */
const HELLO_TIMEOUT_MS = 5_000;
/** Connections that have not said hello yet, at most: more are closed at once. */
const MAX_STRANGERS = 16;

/** Options of {@linkcode startEdges}. */
export interface EdgePoolOptions {
  /** How many edges. */
  count: number;
  /** Absolute project root. */
  root: string;
  config: RohasConfig;
  schema: Schema;
  model: AppModel;
  mode: EngineMode;
  /** The public address; the port must be a real one (not 0). */
  listen: { hostname: string; port: number };
  /** The main process's internal listener. */
  internal: { url: string; token: string };
  /** Publishes an event for an edge; resolves once the adapter accepted it. */
  publish: (topic: string, payload: unknown, options: PublishOptions) => Promise<unknown>;
  /**
   * Publishes each part of an edge's series in one call, when the bus writes a series at once
   * (`EventBus.publishSeries`). Default: a series is published one event after another.
   */
  publishSeries?: (items: readonly SeriesItem[]) => Promise<SeriesOutcome>;
  /** Takes the records an edge's recorder wrote (`forward` telemetry). */
  ingest: (records: RecordsMessage) => void;
  /** Answers the `state.kv` operations of the edges' handlers. */
  answerKv: (request: unknown) => Promise<KvResponse>;
  /** Told when an edge was replaced, and why. */
  onRestart?: (slot: number, reason: string) => void;
  /** Whether edges keep their own telemetry (`local`) or send every record (`forward`). */
  telemetry: "local" | "forward";
}

/** Running edges. */
export interface EdgePool {
  /** How many edges serve. */
  readonly count: number;
  /** Edges replaced since start. */
  readonly restarts: number;
  /** Asks every serving edge; an edge that does not answer within `timeoutMs` is left out. */
  read(read: TelemetryRead, timeoutMs?: number): Promise<unknown[]>;
  /** The live metric series each edge sent last. */
  series(): SeriesSnapshot[][];
  /**
   * Calls `listener` with every edge's telemetry events until the returned function is called;
   * with `logsOnly`, the edges send only log entries while every watcher asked for that.
   */
  watch(listener: (event: TelemetryEvent) => void, options?: { logsOnly?: boolean }): () => void;
  /**
   * Resolves once every serving edge streams its events to the watchers (each answered the latest
   * `watch`), or after `timeoutMs` for an edge that does not answer.
   */
  watching(timeoutMs?: number): Promise<void>;
  /** Stops intake on every edge, lets in-flight requests finish within `timeoutMs`, stops them. */
  close(timeoutMs: number): Promise<void>;
}

/**
 * Starts the edges and waits until each listens.
 *
 * @param options the app to serve, where, and the main process's services
 * @returns the pool
 * @throws {EdgeError} when an edge cannot start (the first edge's error)
 */
export async function startEdges(options: EdgePoolOptions): Promise<EdgePool> {
  const pool = new Pool(options);
  try {
    await pool.start();
  } catch (error) {
    await pool.close(0);
    throw error;
  }
  return pool;
}

interface Edge {
  slot: number;
  /** Handed to the edge on its stdin: its hello must carry it. */
  secret: string;
  child: Deno.ChildProcess;
  channel: LineChannel<FromEdge, ToEdge> | null;
  /** When the edge last said it turns. */
  beatAt: number;
  listening: PromiseWithResolvers<void>;
  /** It listened once: a later failure replaces it (a failure before fails the start). */
  up: boolean;
  drained: PromiseWithResolvers<void>;
  /** Its live metric series, as last sent. */
  series: SeriesSnapshot[];
  /** It answered the latest `watch` on. */
  watching: boolean;
  /** Its series whose last part has not arrived yet, by id. */
  publishing: Map<number, SeriesRun>;
}

class Pool implements EdgePool {
  readonly count: number;
  restarts = 0;
  readonly #options: EdgePoolOptions;
  readonly #edges: Edge[] = [];
  readonly #init: InitMessage;
  readonly #args: string[];
  #control: Deno.TcpListener | null = null;
  /** Control connections that have not said hello yet. */
  #strangers = 0;
  #watch: ReturnType<typeof setInterval> | undefined;
  /** When the watchdog last looked. */
  #checkedAt = Date.now();
  #closing = false;
  /** Listeners of the edges' telemetry events (a live workbench view). */
  #watchers = new Set<(event: TelemetryEvent) => void>();
  /** The watchers that want only log entries. */
  #logsOnly = new Set<(event: TelemetryEvent) => void>();
  /** Waiters of {@linkcode Pool.watching}, called when an edge answers a `watch`. */
  #watching = new Set<() => void>();
  /** Reads waiting for an edge's answer, by id. */
  #reads = new Map<number, (answer: { value?: unknown; error?: unknown }) => void>();
  #nextRead = 1;

  constructor(options: EdgePoolOptions) {
    this.#options = options;
    this.count = options.count;
    const share = edgeShare(options.model, options.config.permissions, options.root);
    this.#init = {
      type: "init",
      root: options.root,
      config: edgeConfig(options.config),
      schema: options.schema,
      model: options.model,
      mode: options.mode,
      files: share.files,
      routes: share.routes,
      listen: options.listen,
      internal: options.internal,
      heartbeatMs: HEARTBEAT_MS,
      edges: options.count,
      telemetry: options.telemetry,
    };
    this.#args = [];
  }

  /**
   * Starts the first edge and waits until it listens (it proves the port is free and serves
   * alone for a moment), then starts the others in the background: they share the port as they
   * come up, and one that cannot start is reported and left out.
   */
  async start(): Promise<void> {
    const control = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.#control = control;
    this.#accept(control);
    this.#args.push(...edgeArgs(this.#options));
    this.#edges[0] = this.#spawn(0);
    await this.#edges[0].listening.promise;
    for (let slot = 1; slot < this.count; slot++) {
      const edge = this.#spawn(slot);
      this.#edges[slot] = edge;
      edge.listening.promise.catch((error) =>
        this.#options.onRestart?.(slot, `it could not start: ${(error as Error).message}`)
      );
    }
    this.#checkedAt = Date.now();
    this.#watch = setInterval(() => this.#check(), HEARTBEAT_MS * 2);
  }

  async #accept(control: Deno.Listener): Promise<void> {
    try {
      for await (const conn of control) this.#connect(conn);
    } catch {
      // The listener closed.
    }
  }

  /**
   * A new control connection. Until its first line proves it is an edge this pool started (the
   * slot and that edge's secret), it may send one short line within {@linkcode HELLO_TIMEOUT_MS},
   * and only {@linkcode MAX_STRANGERS} such connections are kept.
   */
  #connect(conn: Deno.Conn): void {
    if (this.#strangers >= MAX_STRANGERS || this.#closing) return closeConn(conn);
    this.#strangers++;
    let edge: Edge | undefined;
    let stranger = true;
    const known = () => {
      if (!stranger) return;
      stranger = false;
      this.#strangers--;
      clearTimeout(timer);
    };
    const channel = new LineChannel<FromEdge, ToEdge>(conn, (message) => {
      if (edge !== undefined) return this.#receive(edge, message);
      known();
      edge = this.#admit(message);
      if (edge === undefined) return void channel.close();
      channel.maxLine = EDGE_MAX_LINE;
      edge.channel = channel;
      channel.send(this.#init);
    }, { maxLine: HELLO_MAX_LINE });
    const timer = setTimeout(() => channel.close(), HELLO_TIMEOUT_MS);
    channel.closed.then(() => {
      known();
      if (edge !== undefined && edge.channel === channel) this.#lost(edge);
    });
  }

  /** The edge a hello proves to be, when its slot waits for it and the secret is that edge's. */
  #admit(message: FromEdge): Edge | undefined {
    if (message?.type !== "hello" || typeof message.secret !== "string") return undefined;
    const edge = Number.isInteger(message.slot) ? this.#edges[message.slot] : undefined;
    if (edge === undefined || edge.channel !== null) return undefined;
    return sameSecret(edge.secret, message.secret) ? edge : undefined;
  }

  /** An edge's control connection closed: without it the edge can neither publish nor drain. */
  #lost(edge: Edge): void {
    if (edge.up) this.#respawn(edge, "its control connection closed");
    else kill(edge.child);
  }

  /**
   * Starts the edge of a slot. Its control port, slot and secret go through its stdin, which it
   * reads to the end before any handler code loads: nothing of them is on its command line (any
   * local user reads it) or in its `Deno.args` (handler code reads them).
   */
  #spawn(slot: number): Edge {
    const secret = randomSecret();
    const child = new Deno.Command(Deno.execPath(), {
      args: this.#args,
      stdin: "piped",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
    const port = this.#control!.addr.port;
    const writer = child.stdin.getWriter();
    const launch = new TextEncoder().encode(`${JSON.stringify({ port, slot, secret })}\n`);
    // An edge that died at once is reported by its exit status.
    writer.write(launch).then(() => writer.close()).catch(() => {});
    const edge: Edge = {
      slot,
      secret,
      child,
      channel: null,
      beatAt: Date.now(),
      listening: Promise.withResolvers<void>(),
      up: false,
      drained: Promise.withResolvers<void>(),
      series: [],
      watching: false,
      publishing: new Map(),
    };
    edge.listening.promise.catch(() => {});
    child.status.then((status) => this.#exited(edge, status));
    return edge;
  }

  #exited(edge: Edge, status: Deno.CommandStatus): void {
    const how = status.signal ? `signal ${status.signal}` : `exit code ${status.code}`;
    edge.listening.reject(new EdgeError(`Edge ${edge.slot} exited before listening (${how})`));
    edge.drained.resolve();
    edge.channel?.close();
    if (edge.up) this.#respawn(edge, `it exited (${how})`);
  }

  #receive(edge: Edge, message: FromEdge): void {
    switch (message.type) {
      case "hello":
        return;
      case "beat":
        edge.beatAt = Date.now();
        return;
      case "listening":
        if (message.error) {
          const reason = `Edge ${edge.slot} cannot serve: ${message.error.message}`;
          edge.listening.reject(new EdgeError(reason));
          return;
        }
        edge.up = true;
        edge.beatAt = Date.now();
        edge.listening.resolve();
        if (this.#watchers.size > 0) edge.channel?.send(this.#watchMessage());
        return;
      case "watching":
        edge.watching = true;
        for (const waiter of [...this.#watching]) waiter();
        return;
      case "publish":
        this.#publish(message).then(
          () => edge.channel?.send({ type: "published", id: message.id }),
          (error) => edge.channel?.send({ type: "published", id: message.id, ...refusal(error) }),
        );
        return;
      case "publish_series":
        return this.#publishSeries(edge, message);
      case "records":
        this.#options.ingest(message);
        return;
      case "kv": {
        const id = message.id;
        this.#options.answerKv(message.request).then(
          (response) => edge.channel?.send({ type: "kv_answer", id, response }),
          (error) => edge.channel?.send({ type: "kv_answer", id, error: serializeError(error) }),
        );
        return;
      }
      case "answer":
        this.#reads.get(message.id)?.(message);
        return;
      case "series":
        edge.series = message.series;
        return;
      case "events":
        for (const event of message.events) for (const watcher of this.#watchers) watcher(event);
        return;
      case "drained":
        edge.drained.resolve();
        return;
    }
  }

  /**
   * Publishes for an edge, answering within the handler timeout even when the adapter does not:
   * the edge takes a publish that gets no answer for longer as a stalled channel.
   */
  #publish(message: PublishMessage): Promise<unknown> {
    const timeoutMs = this.#options.config.server.handler_timeout_ms;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const reason = `Cannot publish "${message.topic}": not accepted within ${timeoutMs} ms`;
        reject(new EdgeError(reason));
      }, timeoutMs);
    });
    const published = this.#options.publish(message.topic, message.payload, message.options);
    return Promise.race([published, late]).finally(() => clearTimeout(timer));
  }

  /**
   * Publishes a part of an edge's series in turn after the parts before it, each publication under
   * the timeout of a single publish; the series is answered once.
   */
  #publishSeries(edge: Edge, message: PublishSeriesMessage): void {
    const { id } = message;
    let run = edge.publishing.get(id);
    if (run === undefined) {
      const { publish, publishSeries, config } = this.#options;
      run = new SeriesRun(publish, config.server.handler_timeout_ms, publishSeries);
      edge.publishing.set(id, run);
      run.outcome.then(({ accepted, error }) =>
        edge.channel?.send({
          type: "published",
          id,
          accepted,
          ...(error === undefined ? {} : refusal(error)),
        })
      );
    }
    const last = message.more !== true;
    run.add(message.items, { last, abandoned: message.abandoned === true });
    if (last) edge.publishing.delete(id);
  }

  async read(read: TelemetryRead, timeoutMs = 2_000): Promise<unknown[]> {
    const asked = this.#edges.filter((edge) => edge.up && edge.channel !== null);
    const answers = await Promise.all(asked.map((edge) => this.#ask(edge, read, timeoutMs)));
    return answers.filter((a) => a !== undefined);
  }

  #ask(edge: Edge, read: TelemetryRead, timeoutMs: number): Promise<unknown> {
    const id = this.#nextRead++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => done({}), timeoutMs);
      const done = (answer: { value?: unknown; error?: unknown }) => {
        clearTimeout(timer);
        this.#reads.delete(id);
        resolve(answer.error === undefined ? answer.value : undefined);
      };
      this.#reads.set(id, done);
      edge.channel!.send({ type: "read", id, read });
    });
  }

  watch(
    listener: (event: TelemetryEvent) => void,
    options: { logsOnly?: boolean } = {},
  ): () => void {
    const before = this.#watchMessage();
    // Each call is a watcher of its own, even with a listener given before.
    const watcher = (event: TelemetryEvent) => listener(event);
    this.#watchers.add(watcher);
    if (options.logsOnly === true) this.#logsOnly.add(watcher);
    this.#retell(before);
    return () => {
      const was = this.#watchMessage();
      if (!this.#watchers.delete(watcher)) return;
      this.#logsOnly.delete(watcher);
      this.#retell(was);
    };
  }

  /** What the edges are told to send: nothing, logs only, or every event. */
  #watchMessage(): ToEdge {
    const on = this.#watchers.size > 0;
    const logsOnly = on && this.#logsOnly.size === this.#watchers.size;
    return logsOnly ? { type: "watch", on, logsOnly } : { type: "watch", on };
  }

  /** Tells the edges when what they must send changed (and waits for `watching` again). */
  #retell(before: ToEdge): void {
    const now = this.#watchMessage();
    if (JSON.stringify(now) === JSON.stringify(before)) return;
    if (now.type === "watch" && now.on) { for (const edge of this.#edges) edge.watching = false; }
    this.#tell(now);
  }

  watching(timeoutMs = 2_000): Promise<void> {
    const all = () => this.#edges.every((edge) => !edge.up || edge.watching);
    if (this.#watchers.size === 0 || all()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.#watching.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const check = () => {
        if (all()) done();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#watching.add(check);
    });
  }

  #tell(message: ToEdge): void {
    for (const edge of this.#edges) if (edge.up) edge.channel?.send(message);
  }

  series(): SeriesSnapshot[][] {
    return this.#edges.filter((edge) => edge.up).map((edge) => edge.series);
  }

  /** Replaces edges whose heartbeat stood still longer than a handler may run. */
  #check(): void {
    const now = Date.now();
    const late = now - this.#checkedAt - HEARTBEAT_MS * 2;
    this.#checkedAt = now;
    // This process itself did not turn for a while (a starved machine): the beats the edges sent
    // meanwhile may still wait to be read, so silence proves nothing. Count from now.
    if (late > HEARTBEAT_MS * 2) {
      for (const edge of this.#edges) edge.beatAt = Math.max(edge.beatAt, now);
      return;
    }
    const stall = this.#options.config.server.handler_timeout_ms + 2_000;
    for (const edge of this.#edges) {
      if (edge.up && now - edge.beatAt > stall) {
        this.#respawn(edge, `it stopped responding for ${now - edge.beatAt} ms`);
      }
    }
  }

  /** Kills an edge and, once it is gone (its listener closed), starts its successor. */
  #respawn(edge: Edge, reason: string): void {
    if (this.#edges[edge.slot] !== edge || this.#closing) return;
    edge.up = false;
    kill(edge.child);
    edge.child.status.then(() => {
      if (this.#closing) return;
      this.restarts++;
      this.#edges[edge.slot] = this.#spawn(edge.slot);
      this.#options.onRestart?.(edge.slot, reason);
    });
  }

  async close(timeoutMs: number): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    clearInterval(this.#watch);
    const edges = this.#edges.filter((e) => e !== undefined);
    for (const edge of edges) {
      if (edge.up) edge.channel?.send({ type: "drain", timeoutMs });
      else kill(edge.child); // Still starting: nothing in flight.
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(edges.map((e) => e.child.status)),
      new Promise((resolve) => timer = setTimeout(resolve, timeoutMs + 1_000)),
    ]);
    clearTimeout(timer);
    for (const edge of edges) kill(edge.child);
    await Promise.all(edges.map((e) => e.child.status));
    this.#control?.close();
  }
}

/** `ROHAS_EDGE_V8_FLAGS` (read by the main process, which may read the environment), for tuning. */
function v8Flags(): string[] {
  try {
    const flags = Deno.env.get("ROHAS_EDGE_V8_FLAGS");
    return flags ? [`--v8-flags=${flags}`] : [];
  } catch {
    return [];
  }
}

/** A failed publish as the edge is told of it, with the refused payload's issues when it was one. */
function refusal(error: unknown): Pick<PublishedMessage, "error" | "refused"> {
  if (!(error instanceof InvalidEventPayloadError)) return { error: serializeError(error) };
  const { event, payloadType } = error;
  const issues = error.details as PayloadIssue[];
  return { error: serializeError(error), refused: { event, payloadType, issues } };
}

function kill(child: Deno.ChildProcess): void {
  try {
    child.kill("SIGKILL");
  } catch {
    // Already exited.
  }
}

/**
 * `deno run` with the default profile's permissions and nothing more: edges serve only when that
 * profile grants the network already ({@linkcode edgeShare}), so listening on the public address and
 * reaching the main process widen nothing handler code could do.
 */
function edgeArgs(options: EdgePoolOptions): string[] {
  const { permissions } = resolveProfile(options.config.permissions, "default", options.root);
  return [
    "run",
    ...permissionFlags(permissions),
    "--unstable-net",
    "--no-prompt",
    ...v8Flags(),
    EDGE_ENTRY,
  ];
}

/**
 * The config an edge is given: without the workbench key, the adapter's and telemetry store's
 * settings and the `[state]` path and URL (credentials), which it does not need (the main process
 * owns the bus, the stores and the workbench; the edge's `state.kv` asks it).
 */
function edgeConfig(config: RohasConfig): RohasConfig {
  return {
    ...config,
    adapter: { ...config.adapter, settings: {} },
    telemetry: { ...config.telemetry, settings: {} },
    workbench: { ...config.workbench, api_key: "" },
    state: { ...config.state, path: "", url: "" },
  };
}

function closeConn(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}
