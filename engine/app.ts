/**
 * Run: the engine composed of its parts (router, runtime, event bus, scheduler, socket hub,
 * telemetry), all passed in. `handler(request)` serves without a socket; `serve()` listens with
 * `Deno.serve`; `swap()` replaces the model atomically (hot reload); `close()` drains and stops.
 *
 * @module
 */

import { type LastingServer, serveLasting } from "./_lasting_server.ts";
import type { RohasConfig } from "../project/mod.ts";
import type { LogEntry, Telemetry } from "../telemetry/mod.ts";
import type { AppModel } from "./app_model.ts";
import type { Kv } from "../state/mod.ts";
import type { HandlerRuntime } from "./runtime/contract.ts";
import type {
  EngineMode,
  EngineParts,
  PublishOptions,
  SeriesItem,
  SeriesOutcome,
  ValidatorTable,
} from "./parts.ts";
import { publishInTurn } from "./triggers.ts";
import { type DelayedEvents, publishTimed } from "./delayed/mod.ts";
import { buildApp, type BuiltApp } from "./build.ts";
import {
  type Closable,
  DeliveryCounter,
  type EventSubscriber,
  ForwardTracker,
  subscribeEvents,
} from "./event_wiring.ts";
import { type CronOutcome, type CronScheduler, runCronJob, scheduleJobs } from "./cron_wiring.ts";
import {
  createHttpHandler,
  type Mount,
  type RequestHandler,
  type RequestInfo,
} from "./http_pipeline.ts";
import { SocketHub } from "./socket_hub.ts";
import { SocketFanout, type SocketRoute, SOCKETS_TOPIC } from "./socket_fanout.ts";
import { createNoopTelemetry } from "./_noop_telemetry.ts";
import { EngineError } from "./errors.ts";
import {
  describeIssues,
  type PayloadCheck,
  payloadCheck,
  type PayloadRefusal,
} from "./events/payload_check.ts";

/** Options of {@linkcode createEngine}. */
export interface EngineOptions {
  /** The model to serve (from {@linkcode buildAppModel}); {@linkcode Engine.swap} replaces it. */
  model: AppModel;
  /** The project configuration: server, adapter and telemetry settings. */
  config: RohasConfig;
  /** Calls the handlers; closed on shutdown. */
  runtime: HandlerRuntime;
  /**
   * The event bus; on shutdown `drain()` gives the events it holds in this process
   * `[server] shutdown_timeout_ms` to be handled, then `close()` is called, when present.
   */
  bus: EventSubscriber & {
    close?(): Promise<void>;
    drain?(timeoutMs: number): Promise<number>;
    /** Told how to check payloads: at creation and on each swap (a bus in another process has none). */
    checkPayloads?(check: PayloadCheck | null): void;
  };
  /**
   * Where WebSocket messages go (engine/socket_fanout.ts) and this instance's id. Default: `local`
   * (this process's connections; an app alone on its adapter).
   */
  sockets?: { route: SocketRoute; instanceId: string };
  /**
   * Keeps delayed events (`state.triggerEvent(E, p, { delay })`, a handler's `delay`) until due;
   * firing them is its owner's to start. Default: none (a delayed publish is refused).
   */
  delayed?: DelayedEvents;
  /** Makes a scheduler; called at start and on each schema swap. Default: cron jobs never fire. */
  createScheduler?: () => CronScheduler;
  /** Default: a telemetry that records nothing. */
  telemetry?: Telemetry;
  /** Body and message validators. Default: none (nothing is validated). */
  validators?: ValidatorTable;
  /** Default `dev`. */
  mode?: EngineMode;
  /**
   * Extra handlers under path prefixes (the workbench API), or a function making them from the
   * engine they are mounted on (the workbench runs cron jobs through it). Default: none.
   */
  mounts?: Mount[] | ((engine: Engine) => Mount[]);
  /**
   * The state every instance shares (`state.kv`), where the flow controls keep what holds across
   * instances: the slots and budgets of `concurrency`, `rate` and `throttle`, `debounce`'s bursts
   * and timers. Default: they hold per instance.
   */
  sharedState?: Kv;
}

/** Options of {@linkcode Engine.serve}. */
export interface ServeOptions {
  /** Default `[server] host`. */
  hostname?: string;
  /** Default `[server] port`; 0 picks a free port. */
  port?: number;
  /** Called once the server listens, with the bound address. Default: nothing is called. */
  onListen?: (addr: Deno.NetAddr) => void;
  /** Share the port with other listeners of this process (Linux `SO_REUSEPORT`). Default false. */
  reusePort?: boolean;
  /**
   * Who the peer is, when a request says so for someone it trusts (the edge processes name the
   * client of a request they forward). Default: the socket's peer.
   */
  peer?: (request: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) => RequestInfo;
}

/** What a shutdown could not finish. */
export interface ShutdownReport {
  /**
   * Accepted events the adapter held in this process (memory) that were not handled within
   * `[server] shutdown_timeout_ms`: queued, in flight or waiting for a retry. They are lost.
   */
  undrainedEvents: number;
}

/** A running engine. */
export interface Engine {
  /** Serves one request; never rejects. */
  readonly handler: RequestHandler;
  /** The WebSocket connection registry. */
  readonly sockets: SocketHub;
  /** Subscribes event handlers and starts cron schedules. */
  start(): Promise<void>;
  /** Listens with `Deno.serve`, again after an accept failure (`engine/_lasting_server.ts`). */
  serve(options?: ServeOptions): LastingServer;
  /** Replaces the model (hot reload): new routes at once, subscriptions and schedules rewired. */
  swap(model: AppModel, validators?: ValidatorTable): Promise<void>;
  /** Runs one cron job now. */
  runCron(name: string): Promise<CronOutcome>;
  /** Publishes an event as a handler's trigger would (counted for {@linkcode Engine.idle}). */
  publish(topic: string, payload: unknown, options: PublishOptions): Promise<unknown>;
  /**
   * Publishes a series as a handler's triggers would, in one write of the adapter's: present only
   * when the bus writes a series at once (`EventBus.publishSeries`, an adapter with
   * `publishBatch`). Counted for {@linkcode Engine.idle} like {@linkcode Engine.publish}.
   */
  readonly publishSeries?: (items: readonly SeriesItem[]) => Promise<SeriesOutcome>;
  /** The current model. */
  model(): AppModel;
  /**
   * Resolves when every event published through this engine was handled for good: its handler
   * succeeded, or its dead letter is stored (`bus.listDeadLetters()` lists it at once).
   */
  idle(): Promise<void>;
  /** Event deliveries handled for good (success or dead letter) since start. */
  deliveriesSettled(): number;
  /**
   * Stops intake, drains in-flight requests and then queued events, each up to
   * `[server] shutdown_timeout_ms`, and closes every part; logs (warn) the events it could not
   * drain. Later calls return the first call's report.
   */
  close(): Promise<ShutdownReport>;
}

class EngineImpl implements Engine {
  readonly handler: RequestHandler;
  readonly sockets: SocketHub;
  readonly publishSeries?: (items: readonly SeriesItem[]) => Promise<SeriesOutcome>;
  #fanout: SocketFanout;
  #built: BuiltApp;
  #parts: EngineParts;
  #options: EngineOptions;
  #subs: Closable[] = [];
  #scheduler: CronScheduler | null = null;
  #server: LastingServer | null = null;
  #started = false;
  #closing = false;
  #closed: Promise<ShutdownReport> | null = null;
  #counter = new DeliveryCounter();
  /** The check of the current model's payloads, for delayed publishes (the bus checks the rest). */
  #check: PayloadCheck | null = null;
  #tracker = new ForwardTracker();

  constructor(options: EngineOptions) {
    this.#options = options;
    this.#built = buildApp(options.model);
    if (options.bus.publishSeries !== undefined) {
      this.publishSeries = (items) => this.#publishSeries(items);
    }
    this.#parts = {
      runtime: options.runtime,
      publisher: {
        publish: async (topic, payload, publishOptions) => {
          if (publishOptions.timing !== undefined) {
            const timing = publishOptions.timing;
            const at = { delayed: this.#options.delayed, check: this.#check };
            return await publishTimed(at, { topic, payload, options: publishOptions, timing });
          }
          if (topic === SOCKETS_TOPIC) return await this.#fanout.dispatch(payload, publishOptions);
          const n = this.#built.groupsByEvent.get(topic) ?? 0;
          this.#counter.expect(n);
          try {
            return await options.bus.publish(topic, payload, publishOptions);
          } catch (error) {
            this.#counter.settle(n);
            throw error;
          }
        },
        ...(this.publishSeries === undefined ? {} : { publishSeries: this.publishSeries }),
      },
      telemetry: options.telemetry ?? createNoopTelemetry(),
      validators: options.validators ?? new Map(),
      config: options.config,
      mode: options.mode ?? "dev",
    };
    this.#checkPayloads();
    const sockets = options.sockets ?? { route: "local", instanceId: "local" };
    this.sockets = new SocketHub(() => this.#parts, {
      instanceId: sockets.instanceId,
      fanout: () => this.#fanout,
    });
    this.#fanout = new SocketFanout({
      ...sockets,
      project: options.config.project.name,
      local: this.sockets,
      bus: options.bus,
      endpoints: () => this.#built.socketNames,
    });
    this.handler = createHttpHandler({
      current: () => this.#built,
      parts: this.#parts,
      sockets: (request, arg) => this.sockets.handle(request, arg),
      mounts: typeof options.mounts === "function" ? options.mounts(this) : options.mounts ?? [],
      ready: () => this.#started && !this.#closing,
    });
  }

  model(): AppModel {
    return this.#built.model;
  }

  /**
   * The bus checks every payload against the current model's payload types (one place every publish
   * crosses); the runtime checks `state.triggerEvent` too, so a handler sees the error at its call.
   */
  /**
   * A series through the bus's own (an edge's: one round trip to the main process; the main
   * process's over an adapter with `publishBatch`: one write), counted like single publishes; one
   * with a WebSocket message or a timed (delayed, cancelling) publication publishes one at a time
   * (the fanout and the delayed events handle those).
   */
  async #publishSeries(items: readonly SeriesItem[]): Promise<SeriesOutcome> {
    const bus = this.#options.bus;
    const special = (item: SeriesItem) =>
      item.topic === SOCKETS_TOPIC || item.options.timing !== undefined;
    if (bus.publishSeries === undefined || items.some(special)) {
      return await publishInTurn(this.#parts.publisher, items);
    }
    const groups = items.map((item) => this.#built.groupsByEvent.get(item.topic) ?? 0);
    this.#counter.expect(groups.reduce((sum, n) => sum + n, 0));
    let accepted = 0;
    try {
      const outcome = await bus.publishSeries(items);
      accepted = outcome.accepted.length;
      return outcome;
    } finally {
      const unsent = groups.slice(accepted).reduce((sum, n) => sum + n, 0);
      if (unsent > 0) this.#counter.settle(unsent);
    }
  }

  #checkPayloads(): void {
    const { events } = this.#built.model;
    const check = payloadCheck({ events, validators: this.#parts.validators });
    if (this.#parts.config.adapter.payload_checks === "log") {
      // `[adapter] payload_checks = "log"`: published as the original did, each mismatch logged.
      const telemetry = this.#parts.telemetry;
      this.#check = (topic, payload) => {
        const refusal = check(topic, payload);
        if (refusal) telemetry.log(payloadMismatchLog(topic, refusal));
        return null;
      };
      this.#options.bus.checkPayloads?.(this.#check);
      return;
    }
    this.#check = check;
    this.#options.bus.checkPayloads?.(check);
    const types = Object.fromEntries(events.map((e) => [e.event, e.payloadType]));
    this.#parts.runtime.checkPayloads?.({ events: types, check });
  }

  idle(): Promise<void> {
    return this.#counter.idle();
  }

  deliveriesSettled(): number {
    return this.#counter.settled;
  }

  #subscribe(model: AppModel): Promise<Closable[]> {
    return subscribeEvents(model, this.#parts, this.#options.bus, {
      counter: this.#counter,
      tracker: this.#tracker,
      maxAttempts: this.#parts.config.adapter.max_attempts,
      delayed: this.#options.delayed,
      ...(this.#options.sharedState ? { sharedState: this.#options.sharedState } : {}),
    });
  }

  async start(): Promise<void> {
    this.#subs = await this.#subscribe(this.#built.model);
    await this.#fanout.start();
    this.#startScheduler();
    this.#started = true;
  }

  #startScheduler(): void {
    const make = this.#options.createScheduler;
    if (!make || this.#built.model.schedules.length === 0) return;
    const scheduler = make();
    scheduleJobs(
      scheduler,
      this.#built.model.schedules,
      (spec, tick) => runCronJob(this.#parts, spec, tick),
    );
    scheduler.start();
    this.#scheduler = scheduler;
  }

  serve(options: ServeOptions = {}): LastingServer {
    const server = this.#options.config.server;
    const peer = options.peer;
    this.#server = serveLasting({
      hostname: options.hostname ?? server.host,
      port: options.port ?? server.port,
      ...(options.onListen ? { onListen: options.onListen } : {}),
      ...(options.reusePort ? { reusePort: true } : {}),
      onAcceptError: (error, retryInMs) =>
        this.#parts.telemetry.log(acceptFailedLog(error, retryInMs)),
    }, peer ? (request, info) => this.handler(request, peer(request, info)) : this.handler);
    return this.#server;
  }

  publish(topic: string, payload: unknown, options: PublishOptions): Promise<unknown> {
    return this.#parts.publisher.publish(topic, payload, options);
  }

  async swap(model: AppModel, validators?: ValidatorTable): Promise<void> {
    const built = buildApp(model);
    if (validators) this.#parts.validators = validators;
    this.#built = built;
    this.#checkPayloads();
    if (!this.#started) return;
    const oldSubs = this.#subs;
    const oldScheduler = this.#scheduler;
    this.#scheduler = null;
    // New subscriptions first: the groups never lack a consumer, so nothing published during the
    // swap goes unhandled; old and new share each group's queue until the old ones close.
    this.#subs = await this.#subscribe(model);
    await Promise.all(oldSubs.map((s) => s.close()));
    await oldScheduler?.stop();
    this.#startScheduler();
  }

  runCron(name: string): Promise<CronOutcome> {
    const spec = this.#built.schedulesByName.get(name);
    if (!spec) {
      const known = [...this.#built.schedulesByName.keys()].map((n) => `"${n}"`).join(", ");
      throw new EngineError(`Unknown cron job "${name}": known jobs are ${known || "none"}`);
    }
    return runCronJob(this.#parts, spec);
  }

  close(): Promise<ShutdownReport> {
    this.#closing = true;
    return this.#closed ??= this.#shutdown();
  }

  async #shutdown(): Promise<ShutdownReport> {
    const deadline = this.#parts.config.server.shutdown_timeout_ms;
    const bus = this.#options.bus;
    const failed = (part: string) => (error: unknown) =>
      this.#parts.telemetry.log(closeFailedLog(part, error));
    await withDeadline(this.#drainServer(), deadline, failed("the server"));
    this.sockets.closeAll();
    await withDeadline(
      this.#scheduler?.stop() ?? Promise.resolve(),
      deadline,
      failed("the cron scheduler"),
    );
    // The requests are answered: the events they caused (and those these cause) get their time.
    await bus.drain?.(deadline);
    await withDeadline(
      Promise.all([...this.#subs.map((s) => s.close()), this.#fanout.close()]),
      deadline,
      failed("the event subscriptions"),
    );
    await withDeadline(bus.close?.() ?? Promise.resolve(), deadline, failed("the event bus"));
    await withDeadline(this.#parts.runtime.close(), deadline, failed("the handler runtime"));
    // Counted once nothing runs any more, so a delivery that finished meanwhile is not counted.
    const undrainedEvents = await bus.drain?.(0) ?? 0;
    if (undrainedEvents > 0) this.#parts.telemetry.log(undrainedLog(undrainedEvents, deadline));
    await this.#parts.telemetry.close();
    return { undrainedEvents };
  }

  async #drainServer(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.sockets.closeAll();
    await server.shutdown();
  }
}

function payloadMismatchLog(topic: string, refusal: PayloadRefusal): LogEntry {
  return {
    timestamp: new Date().toISOString(),
    level: "warn",
    target: "engine:events",
    message: `Published "${topic}" with a payload that does not match ${refusal.payloadType}: ${
      describeIssues(refusal.issues)
    } ([adapter] payload_checks = "log")`,
    fields: { event: topic, payload_type: refusal.payloadType },
    span_fields: {},
  };
}

function acceptFailedLog(error: unknown, retryInMs: number): LogEntry {
  const why = error instanceof Error ? error.message : String(error);
  return {
    timestamp: new Date().toISOString(),
    level: "error",
    target: "engine:server",
    message: `Cannot accept connections: ${why}; listening again in ${retryInMs} ms`,
    fields: error instanceof Error ? { error: error.name } : {},
    span_fields: {},
  };
}

function closeFailedLog(part: string, error: unknown): LogEntry {
  return {
    timestamp: new Date().toISOString(),
    level: "error",
    target: "engine:shutdown",
    message: `Cannot close ${part}: ${error instanceof Error ? error.message : String(error)}`,
    fields: error instanceof Error ? { error: error.name } : {},
    span_fields: {},
  };
}

function undrainedLog(count: number, deadlineMs: number): LogEntry {
  const [events, were, are] = count === 1
    ? ["1 accepted event", "was", "is"]
    : [`${count} accepted events`, "were", "are"];
  return {
    timestamp: new Date().toISOString(),
    level: "warn",
    target: "engine:shutdown",
    message:
      `${events} ${were} not handled within [server] shutdown_timeout_ms (${deadlineMs} ms) ` +
      `and ${are} lost: the adapter kept them only in this process`,
    fields: { undrained_events: String(count), shutdown_timeout_ms: String(deadlineMs) },
    span_fields: {},
  };
}

/** Waits for `work` at most `ms`; shutdown goes on either way, and a failure goes to `onError`. */
async function withDeadline(
  work: Promise<unknown>,
  ms: number,
  onError: (error: unknown) => void,
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => timer = setTimeout(resolve, ms));
  try {
    await Promise.race([work.then(() => {}, onError), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Composes an engine from its parts. Nothing listens until `serve()`.
 *
 * @param options the model, config and collaborators
 * @returns the engine
 * @throws {RouteConflictError} when two endpoints claim the same route
 * @example A fragment (the model, runtime and bus come from the assembly; not run as a documentation test)
 * ```ts ignore
 * const engine = createEngine({ model, config, runtime, bus });
 * await engine.start();
 * const res = await engine.handler(new Request("http://x/_rohas/health"));
 * ```
 */
export function createEngine(options: EngineOptions): Engine {
  return new EngineImpl(options);
}
