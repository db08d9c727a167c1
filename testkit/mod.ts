/**
 * The test kit (`@rohas/cli/testing`): runs a project's handlers in the test's own process, through
 * the same assembly as `createApp` (real routing, body validation, middlewares, triggers, the
 * event bus on the memory adapter, the WebSocket hub), and records what they did: published
 * events, log entries, WebSocket sends and broadcasts, `state.kv` writes. Nothing is mocked: the
 * parts `createApp` is given are the real in-memory ones, each wrapped to remember what went
 * through it.
 *
 * @example Call an API, then see the events it published and what its event handlers did
 * ```ts
 * import { createTestApp } from "./mod.ts";
 * import { manifest } from "../examples/hello-ts/src/generated/manifest.ts";
 * import assert from "node:assert/strict";
 *
 * await using app = await createTestApp({ manifest });
 * const created = await app.request("POST", "/users", {
 *   headers: { "x-user-id": "doc-example" },
 *   body: { name: "Ann", email: "ann@example.com" },
 * });
 * assert.equal(created.status, 200);
 * assert.ok(app.events.some((event) => event.topic === "UserCreated"));
 * assert.ok(app.logs.some((entry) => entry.handler === "CreateUser"));
 *
 * const invalid = await app.request("POST", "/users", { body: { name: 7 } });
 * assert.equal(invalid.status, 422);
 * ```
 *
 * @module
 */

import {
  type App,
  createApp,
  type CronOutcome,
  type HandlerManifest,
  type LastingServer,
} from "../engine/mod.ts";
import type { RohasConfig } from "../project/mod.ts";
import { createMemoryAdapter } from "../adapters/mod.ts";
import { createMemoryStore, createRecorder, type LogEntry } from "../telemetry/mod.ts";
import { createMemoryKvBackend, type Kv, kvOver } from "../state/mod.ts";
import { DELAYED_STORE, type DelayedEvent, listDelayedEvents } from "../engine/delayed/mod.ts";
import { openTimerStore } from "../engine/timers/mod.ts";
import {
  type Captured,
  type KvWrite,
  type PublishedEvent,
  recordingAdapter,
  recordingKv,
  recordingTelemetry,
  recordSockets,
  type SocketDelivery,
} from "./_capture.ts";
import { openTestSocket, type TestSocket } from "./_socket.ts";

export type { DelayedEvent, KvWrite, PublishedEvent, SocketDelivery, TestSocket };

/** Options of {@linkcode createTestApp}. */
export interface TestAppOptions {
  /** The project's generated `src/generated/manifest.ts` export. */
  manifest: HandlerManifest;
  /** The project root. Default: the manifest's. */
  root?: string;
  /** The config. Default: the project's `config/rohas.toml` (adapter and stores replaced). */
  config?: RohasConfig;
  /** What handlers see as `state.kv`. Default: a new in-memory store. */
  kv?: Kv;
}

/** What {@linkcode TestApp.request} accepts. */
export interface TestRequestInit {
  /** A JSON body (sent with `Content-Type: application/json`), or a string sent as is. */
  body?: unknown;
  /** Request headers. */
  headers?: Record<string, string>;
}

/** The answer of {@linkcode TestApp.request}. */
export interface TestResponse {
  /** The HTTP status. */
  status: number;
  /** The response headers (`X-Rohas-Trace-Id` among them). */
  headers: Headers;
  /** The parsed JSON body, or its text when it is not JSON. */
  body: unknown;
}

/** A project running in the test's process; dispose it (`await using`) when done. */
export interface TestApp extends AsyncDisposable {
  /** The app underneath (its `handler`, its `engine`). */
  readonly app: App;
  /** Events published so far (by handlers' triggers and by {@linkcode publish}), oldest first. */
  readonly events: readonly PublishedEvent[];
  /** Log entries so far: `state.logger` lines of handlers and the engine's own. */
  readonly logs: readonly LogEntry[];
  /** `state.kv` writes so far, committed atomic operations included. */
  readonly kvWrites: readonly KvWrite[];
  /** WebSocket messages the hub sent: to one connection, or broadcast to an endpoint. */
  readonly sockets: readonly SocketDelivery[];
  /** The store handlers see as `state.kv` (to seed it, or to read it back). */
  readonly kv: Kv;
  /**
   * Calls an API as a client would, and waits until the events it caused were handled.
   *
   * @param method such as `GET` or `POST`
   * @param path the path and query, such as `/users/7?full=true`
   * @param init body and headers
   */
  request(method: string, path: string, init?: TestRequestInit): Promise<TestResponse>;
  /**
   * Publishes an event as a handler would, and waits until its handlers (and the events they
   * caused) were handled for good.
   */
  publish(event: string, payload: unknown): Promise<void>;
  /** Runs a cron job now, and waits until the events it caused were handled. */
  runCron(name: string): Promise<CronOutcome>;
  /** The delayed events waiting (`state.triggerEvent` with `delay` or `at`, a handler's `delay`). */
  delayed(): Promise<DelayedEvent[]>;
  /**
   * Makes every delayed event waiting due now, and waits until they (and the delayed events they
   * cause) were published and handled: a test need not wait out a delay.
   *
   * @returns how many delayed events were fired
   */
  fireDelayed(): Promise<number>;
  /**
   * Opens a real WebSocket to an endpoint (the app listens on a free loopback port from the first
   * call), through its middlewares and `onConnect` handlers. Like a browser's, it sends no headers
   * of its own: a token goes in the query string.
   */
  connect(path: string): Promise<TestSocket>;
  /** Forgets what was recorded so far. */
  clear(): void;
  /** Closes the app, its listener and its sockets. */
  close(): Promise<void>;
}

/**
 * Starts a project in this process for a test: handlers from the manifest, events on the memory
 * adapter, telemetry in memory, `state.kv` in memory, cron jobs only when the test runs them.
 *
 * @param options the manifest, and optionally root, config and store
 * @returns the running app and what it records
 * @throws {EngineError} when the schema has errors or a handler is missing from the manifest
 */
export async function createTestApp(options: TestAppOptions): Promise<TestApp> {
  const captured: Captured = { events: [], logs: [], kvWrites: [], sockets: [] };
  const kv = options.kv ?? kvOver(createMemoryKvBackend());
  const telemetry = recordingTelemetry(createRecorder(createMemoryStore()), captured.logs);
  const app = await createApp({
    manifest: options.manifest,
    ...(options.root === undefined ? {} : { root: options.root }),
    ...(options.config === undefined ? {} : { config: options.config }),
    mode: "dev",
    adapter: recordingAdapter(createMemoryAdapter(), captured.events),
    telemetry,
    state: recordingKv(kv, captured.kvWrites),
    cron: false,
  });
  recordSockets(app.engine.sockets, captured.sockets);
  return new RunningTestApp(app, { captured, kv, telemetry });
}

class RunningTestApp implements TestApp {
  readonly app: App;
  readonly kv: Kv;
  readonly #captured: Captured;
  readonly #close: () => Promise<void>;
  readonly #sockets = new Set<TestSocket>();
  #server: LastingServer | null = null;

  constructor(
    app: App,
    parts: { captured: Captured; kv: Kv; telemetry: { close(): Promise<void> } },
  ) {
    this.app = app;
    this.kv = parts.kv;
    this.#captured = parts.captured;
    this.#close = () => parts.telemetry.close();
  }

  get events(): readonly PublishedEvent[] {
    return this.#captured.events;
  }

  get logs(): readonly LogEntry[] {
    return this.#captured.logs;
  }

  get kvWrites(): readonly KvWrite[] {
    return this.#captured.kvWrites;
  }

  get sockets(): readonly SocketDelivery[] {
    return this.#captured.sockets;
  }

  async request(method: string, path: string, init: TestRequestInit = {}): Promise<TestResponse> {
    const headers = new Headers(init.headers);
    let body: string | null = null;
    if (init.body !== undefined) {
      body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
    }
    const url = new URL(path, "http://rohas.test");
    const response = await this.app.handler(new Request(url, { method, headers, body }));
    const text = await response.text();
    await this.app.engine.idle();
    return { status: response.status, headers: response.headers, body: parsed(text) };
  }

  async publish(event: string, payload: unknown): Promise<void> {
    await this.app.engine.publish(event, payload, { parentId: null, source: "test" });
    await this.app.engine.idle();
  }

  async runCron(name: string): Promise<CronOutcome> {
    const outcome = await this.app.engine.runCron(name);
    await this.app.engine.idle();
    return outcome;
  }

  delayed(): Promise<DelayedEvent[]> {
    return listDelayedEvents(this.kv);
  }

  async fireDelayed(): Promise<number> {
    const timers = openTimerStore(this.kv, { name: DELAYED_STORE, instanceId: "testkit" });
    const fired = new Set<string>();
    for (let waiting = await timers.list(); waiting.length > 0; waiting = await timers.list()) {
      for (const timer of waiting) {
        if (timer.state === "firing") continue;
        const group = timer.group === null ? {} : { group: timer.group };
        if (timer.dueAt > Date.now()) {
          await timers.schedule(timer.id, Date.now(), timer.value, { replace: true, ...group });
        }
        fired.add(timer.id);
      }
      // Fired by the app's due loop; its handlers may hold or delay more.
      await new Promise((resolve) => setTimeout(resolve, 10));
      await this.app.engine.idle();
    }
    await this.app.engine.idle();
    return fired.size;
  }

  async connect(path: string): Promise<TestSocket> {
    this.#server ??= this.app.serve({ hostname: "127.0.0.1", port: 0 });
    const { port } = this.#server.addr;
    const socket = await openTestSocket(`ws://127.0.0.1:${port}${path}`);
    this.#sockets.add(socket);
    return socket;
  }

  clear(): void {
    for (const list of Object.values(this.#captured)) list.length = 0;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#sockets].map((socket) => socket.close()));
    await this.#server?.shutdown();
    await this.app.close();
    await this.#close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function parsed(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError) return text;
    throw error;
  }
}
