/**
 * The Python {@linkcode HandlerRuntime}: libpython in a host process of its own (see `_process.ts`),
 * one asyncio loop on its own Python thread there, calls sent as JSON lines.
 *
 * The server survives what happens in there. When the host dies (a segfault in a C extension), the
 * calls in flight fail at once and a new host starts. When a call times out, the loop is asked to
 * cancel it; a loop that does not answer within `blockedGraceMs` is blocked by a handler (a
 * `time.sleep` or a busy loop in an `async def`): the handler running on it is named, the host is
 * killed and replaced. Replacements in a row (each host dying within `stableMs` of its start) are
 * spaced out: the first is immediate, then 250 ms, 500 ms, 1 s ... up to 10 s, during which calls
 * fail at once; a reload starts the host at once (see `_backoff.ts`).
 *
 * @module
 */

import type { HandlerRuntime, Invocation, InvocationResult, SerializedError } from "../contract.ts";
import type { PythonRuntimeSection } from "../../../project/mod.ts";
import type { HostStart, KvAsk, Reply } from "./_protocol.ts";
import { type KvResponse, StateError } from "../../../state/mod.ts";
import { serializeError } from "../protocol.ts";
import { type BackoffTimes, DEFAULT_BACKOFF, RestartBackoff } from "./_backoff.ts";
import { HostCalls, raceTimeout } from "./_calls.ts";
import { locatePython } from "./_locate.ts";
import { type HostProcess, spawnHost } from "./_process.ts";
import {
  blockedRestart,
  crashedRestart,
  type Replacement,
  stuckRestart,
  withDelay,
} from "./_restarts.ts";
import { closedError, failed, serialize, timeoutResult, toResult } from "./_results.ts";
import { PythonRuntimeError } from "./errors.ts";

/** Why the Python host was replaced, for whoever prints or logs it. */
export interface PythonRestart {
  /**
   * `crashed`: the host process died; `blocked`: a handler blocked the asyncio loop; `stuck`: sync
   * handlers that never returned took every worker thread.
   */
  reason: "crashed" | "blocked" | "stuck";
  /** Handlers involved: those in flight at a crash, the one blocking the loop, or the stuck ones. */
  handlers: string[];
  /** One sentence saying what happened, naming the handlers, and when the new host starts. */
  message: string;
  /** Wait before the new host starts, in ms: 0 unless the hosts before died young too. */
  delayMs: number;
}

/** Options of {@linkcode createPythonRuntime}. */
export interface PythonRuntimeOptions {
  /** Absolute project root; `<root>/src` goes on `sys.path`. */
  root: string;
  /** `[runtime.python]`; default: no explicit library, executable `python3`. */
  python?: PythonRuntimeSection;
  /** `ROHAS_PYTHON_LIB`; default: read from the environment (when env access is granted). */
  envLibrary?: string | null;
  /**
   * Deadline for `close()` to wait for in-flight calls, and then for the loop to stop, in ms.
   * Default 10000.
   */
  closeTimeoutMs?: number;
  /** Deadline of `reload()`, in ms. Default 30000. */
  reloadTimeoutMs?: number;
  /**
   * After a call times out, how long the loop has to acknowledge its cancellation before it is
   * considered blocked and the host replaced, in ms. Default 1000.
   */
  blockedGraceMs?: number;
  /**
   * Spacing of replacements in a row, in ms: the first is immediate, the next waits
   * `firstDelayMs` (doubling each time, up to `maxDelayMs`); a host that lived `stableMs` ends the
   * row. Default `{ firstDelayMs: 250, maxDelayMs: 10000, stableMs: 10000 }`.
   */
  restartBackoff?: Partial<BackoffTimes>;
  /**
   * Threads that run sync (`def`) handlers, so that one blocking on I/O does not hold the others.
   * A sync handler that never returns keeps its thread past its timeout (Python cannot stop a
   * thread); once every thread is kept so, no sync handler could run again, and the host is
   * replaced. Default 64.
   */
  syncThreads?: number;
  /** Told each time the host is replaced after a crash, a blocked loop or stuck sync handlers. */
  onRestart?: (restart: PythonRestart) => void;
  /**
   * Answers the handlers' `state.kv` operations (the host holds no store). Default: none (they
   * raise a `StateError`).
   */
  answerKv?: (request: unknown) => Promise<KvResponse>;
}

/** What a {@linkcode PythonRuntime} is made from; see {@linkcode createPythonRuntime}. */
export interface PythonRuntimeSettings {
  /** The host's start line. */
  start: HostStart;
  /** Problems met while locating libpython. */
  problems: string[];
  /** See {@linkcode PythonRuntimeOptions.closeTimeoutMs}. */
  closeMs: number;
  /** See {@linkcode PythonRuntimeOptions.reloadTimeoutMs}. */
  reloadMs: number;
  /** See {@linkcode PythonRuntimeOptions.blockedGraceMs}. */
  graceMs: number;
  /** See {@linkcode PythonRuntimeOptions.restartBackoff}. */
  backoff: BackoffTimes;
  /** See {@linkcode PythonRuntimeOptions.onRestart}. */
  onRestart: (restart: PythonRestart) => void;
  /** See {@linkcode PythonRuntimeOptions.answerKv}. */
  answerKv: (request: unknown) => Promise<KvResponse>;
}

/** The bridge's worker threads for sync handlers, as its answer to a cancel counts them. */
interface SyncThreads {
  /** How many there are. */
  size: number;
  /** The handlers of the calls that outlived their timeout and still hold a thread. */
  stuck: string[];
}

/** A start delayed after crashes in a row. */
interface Waiting {
  timer: ReturnType<typeof setTimeout>;
  /** When the start is due, in `performance.now()` time. */
  at: number;
  /** The last replacement's message. */
  message: string;
}

/** How long a blocked host has to name the handler blocking it before it is killed anyway. */
const BLOCKER_ANSWER_MS = 500;

/**
 * Starts a Python host for the project and returns the runtime that drives it.
 *
 * @example Run a Python handler (needs libpython and a project, so it is not run as a documentation test)
 * ```ts ignore
 * await using runtime = await createPythonRuntime({ root: "/srv/app" });
 * const result = await runtime.invoke(invocation);
 * ```
 * @throws {PythonLibraryNotFoundError} when no libpython loads (the message lists what was tried)
 * @throws {PythonStartError} when the interpreter or the bridge fails to start
 */
export async function createPythonRuntime(options: PythonRuntimeOptions): Promise<PythonRuntime> {
  const located = await locatePython({
    root: options.root,
    library: options.python?.library ?? null,
    executable: options.python?.executable ?? "python3",
    envLibrary: options.envLibrary !== undefined ? options.envLibrary : readEnvLibrary(),
  });
  const bridge = await (await fetch(new URL("./_bridge.py", import.meta.url))).text();
  const runtime = new PythonRuntime({
    start: {
      candidates: located.candidates,
      root: options.root,
      bridge,
      ...(options.syncThreads === undefined ? {} : { syncThreads: options.syncThreads }),
    },
    problems: located.problems,
    closeMs: options.closeTimeoutMs ?? 10_000,
    reloadMs: options.reloadTimeoutMs ?? 30_000,
    graceMs: options.blockedGraceMs ?? 1_000,
    backoff: { ...DEFAULT_BACKOFF, ...options.restartBackoff },
    onRestart: options.onRestart ?? (() => {}),
    answerKv: options.answerKv ?? noStore,
  });
  await runtime.start();
  return runtime;
}

function noStore(): Promise<never> {
  return Promise.reject(
    new StateError("Cannot use state.kv: this runtime was started without a store"),
  );
}

function readEnvLibrary(): string | null {
  try {
    return Deno.env.get("ROHAS_PYTHON_LIB") ?? null;
  } catch {
    return null;
  }
}

/** A running Python runtime; create it with {@linkcode createPythonRuntime}. */
export class PythonRuntime implements HandlerRuntime, AsyncDisposable {
  #settings: PythonRuntimeSettings;
  #host: HostProcess | null = null;
  #starting: Promise<HostProcess> | null = null;
  #calls = new HostCalls();
  #probing = false;
  #closing: Promise<void> | null = null;
  #backoff: RestartBackoff;
  /** The next start after crashes in a row: calls fail at once until then. */
  #waiting: Waiting | null = null;
  /** The libpython that was loaded (empty until the first host is up). */
  library = "";

  /** Use {@linkcode createPythonRuntime}. */
  constructor(settings: PythonRuntimeSettings) {
    this.#settings = settings;
    this.#backoff = new RestartBackoff(settings.backoff);
  }

  /**
   * Starts a host unless one runs or is starting; resolves when it is ready.
   *
   * @throws {PythonLibraryNotFoundError} when no libpython loads
   * @throws {PythonStartError} when the interpreter or the bridge fails to start
   */
  async start(): Promise<void> {
    await this.#start();
  }

  #start(): Promise<HostProcess> {
    if (this.#host !== null) return Promise.resolve(this.#host);
    this.#starting ??= spawnHost({
      start: this.#settings.start,
      problems: this.#settings.problems,
      onReply: (reply) => this.#receive(reply),
    }).then((host) => this.#adopt(host)).finally(() => this.#starting = null);
    return this.#starting;
  }

  #adopt(host: HostProcess): HostProcess {
    if (this.#closing !== null) {
      host.kill();
      throw new PythonRuntimeError("The Python runtime is closed");
    }
    this.#host = host;
    this.#backoff.started(performance.now());
    this.#calls.newHost();
    host.hello.then((hello) => {
      if (hello.type === "ready") this.library = hello.library;
    });
    host.exited.then((how) => this.#crashed(host, how));
    return host;
  }

  #receive(reply: Reply | KvAsk): void {
    if ("op" in reply) return this.#answerKv(reply);
    this.#calls.receive(reply);
  }

  /** Runs a handler's `state.kv` operation; the answer goes to the host that asked. */
  #answerKv(ask: KvAsk): void {
    const host = this.#host;
    const id = ask.id;
    this.#settings.answerKv(ask.request).then(
      (response) => host?.send(JSON.stringify({ op: "kv_answer", id, response })),
      (error) => host?.send(JSON.stringify({ op: "kv_answer", id, error: serializeError(error) })),
    );
  }

  /** Runs one handler call; never rejects. A timed-out coroutine is cancelled. */
  async invoke(invocation: Invocation): Promise<InvocationResult> {
    const started = performance.now();
    if (this.#closing !== null) return failed(closedError(), started);
    if (this.#waiting !== null) return failed(this.#restarting(this.#waiting), started);
    let host = this.#host;
    // The call's deadline counts from when it is sent, not from a wait for a host to start.
    let sent = started;
    if (host === null) {
      try {
        host = await this.#start();
      } catch (error) {
        return failed(serialize(error), started);
      }
      sent = performance.now();
    }
    const { id, reply } = this.#calls.call(host, { invocation, sent });
    const outcome = await reply;
    if (outcome === "timeout") {
      this.#cancel(host, id, invocation.handler.name);
      return timeoutResult(invocation, started);
    }
    return toResult(outcome, performance.now() - started);
  }

  /** Asks the loop to cancel a call; a loop that does not answer in time is blocked. */
  async #cancel(host: HostProcess, target: number, handler: string): Promise<void> {
    const { reply } = this.#calls.control(host, { op: "cancel", target });
    if (this.#probing) return;
    this.#probing = true;
    try {
      const answer = await raceTimeout(reply, this.#settings.graceMs);
      if (host !== this.#host || this.#closing !== null) return;
      if (answer !== "timeout") return this.#checkThreads(host, answer);
      const blocker = await this.#blocker(host);
      const graceMs = this.#settings.graceMs;
      this.#replace(host, blockedRestart(blocker ?? handler, { graceMs, named: blocker }));
    } finally {
      this.#probing = false;
    }
  }

  /**
   * Replaces the host once sync handlers that outlived their timeout hold every worker thread (the
   * loop's answer to a cancel counts them): no sync handler could start again.
   */
  #checkThreads(host: HostProcess, answer: Reply): void {
    const threads = answer.ok ? answer.output as SyncThreads | undefined : undefined;
    if (threads === undefined || threads.stuck.length < threads.size) return;
    this.#replace(host, stuckRestart(threads.stuck));
  }

  /** The handler the host's loop thread is running, read from its stack (null: no answer). */
  async #blocker(host: HostProcess): Promise<string | null> {
    const { reply } = this.#calls.control(host, { op: "blocker" });
    const answer = await raceTimeout(reply, BLOCKER_ANSWER_MS);
    if (answer === "timeout" || !answer.ok) return null;
    const found = answer.output as { name?: unknown } | null;
    return typeof found?.name === "string" ? found.name : null;
  }

  #crashed(host: HostProcess, how: string): void {
    if (host !== this.#host) return;
    this.#replace(host, crashedRestart(how, this.#calls.handlers()));
  }

  /** Fails every call on the host, kills it and starts another. */
  #replace(host: HostProcess, found: Replacement): void {
    if (host !== this.#host) return;
    this.#host = null;
    host.kill();
    if (this.#closing !== null) {
      return this.#calls.failAll({ name: "PythonRuntimeError", message: found.message });
    }
    const delayMs = this.#backoff.crashed(performance.now());
    const restart = withDelay(found, { delayMs, crashes: this.#backoff.crashes });
    this.#calls.failAll({ name: "PythonRuntimeError", message: restart.message });
    this.#settings.onRestart(restart);
    if (delayMs === 0) return this.#restart();
    const timer = setTimeout(() => {
      this.#waiting = null;
      this.#restart();
    }, delayMs);
    this.#waiting = { timer, at: performance.now() + delayMs, message: found.message };
  }

  #restart(): void {
    // A host that cannot start again is retried by the next call, which reports why.
    this.#start().catch(() => {});
  }

  /** Cancels a delayed start; true if one was waiting. */
  #stopWaiting(): boolean {
    if (this.#waiting === null) return false;
    clearTimeout(this.#waiting.timer);
    this.#waiting = null;
    return true;
  }

  #restarting(waiting: Waiting): SerializedError {
    const crashes = this.#backoff.crashes;
    const inMs = Math.max(0, Math.ceil(waiting.at - performance.now()));
    return {
      name: "PythonRuntimeError",
      message: `The Python runtime is restarting after ${crashes} crashes in a row: it starts ` +
        `again in ${inMs} ms (last: ${waiting.message})`,
    };
  }

  /** Loads or reloads one module; a syntax error comes back with file and line. */
  async reload(file: string): Promise<SerializedError | null> {
    if (this.#closing !== null) return null;
    // The code changed: a host waiting to start after crashes in a row starts now, and imports
    // every module fresh anyway, like any host started later.
    if (this.#stopWaiting()) {
      this.#backoff.reset();
      this.#restart();
    }
    if (this.#host === null) return null;
    const { reply: pending } = this.#calls.reload(this.#host, file);
    const reply = await raceTimeout(pending, this.#settings.reloadMs);
    if (reply === "timeout") {
      const message = `Reloading "${file}" timed out after ${this.#settings.reloadMs} ms`;
      return { name: "TimeoutError", message: `${message}: a handler blocks the Python loop` };
    }
    return reply.ok ? null : reply.error;
  }

  /** Waits for in-flight calls (up to the deadline), stops the loop, ends the host process. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#stopWaiting();
    await this.#starting?.catch(() => null);
    if (this.#calls.size > 0) await this.#calls.drain(this.#settings.closeMs);
    const host = this.#host;
    this.#host = null;
    if (host !== null) {
      const { reply } = this.#calls.control(host, { op: "close" });
      await raceTimeout(reply, this.#settings.closeMs);
      await host.close(this.#settings.closeMs);
    }
    this.#calls.failAll(closedError());
  }

  /** Same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
