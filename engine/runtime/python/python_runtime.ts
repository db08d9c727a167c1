/**
 * The Python {@linkcode HandlerRuntime}: libpython in a dedicated Worker, one asyncio loop on its own
 * Python thread, calls submitted as JSON and completed through a thread-safe FFI callback.
 *
 * @module
 */

import type {
  Effect,
  HandlerRuntime,
  Invocation,
  InvocationResult,
  SerializedError,
} from "../contract.ts";
import type { PythonRuntimeSection } from "../../../project/mod.ts";
import type { FromWorker, ToWorker } from "./_protocol.ts";
import { type Located, locatePython } from "./_locate.ts";
import { acquireProcessLock } from "./_process_lock.ts";
import { PythonLibraryNotFoundError, PythonStartError } from "./errors.ts";

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
}

/** Bridge replies as JSON (see `_bridge.py`). */
type Reply =
  | { id: number; ok: true; output?: unknown; effects?: Effect[] }
  | {
    id: number;
    ok: false;
    reason?: "error" | "not_found";
    error: SerializedError;
    effects?: Effect[];
  };

interface Pending {
  resolve(reply: Reply): void;
}

/**
 * Starts libpython in a Worker and a bridge session for the project.
 *
 * @example Run a Python handler
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
  const lock = await acquireProcessLock();
  try {
    return await startRuntime(options, located, lock);
  } catch (error) {
    lock.close();
    throw error;
  }
}

async function startRuntime(
  options: PythonRuntimeOptions,
  located: Located,
  lock: Deno.FsFile,
): Promise<PythonRuntime> {
  const worker = new Worker(new URL("./_worker.ts", import.meta.url), { type: "module" });
  const ready = await startWorker(worker, {
    type: "start",
    candidates: located.candidates,
    root: options.root,
    bridgeUrl: new URL("./_bridge.py", import.meta.url).href,
  });
  if (ready.type === "failed") {
    worker.terminate();
    if (ready.stage === "library") {
      throw new PythonLibraryNotFoundError([...located.problems, ...ready.tried]);
    }
    throw new PythonStartError(`Cannot start the Python runtime: ${ready.error.message}`);
  }
  return new PythonRuntime(worker, ready.library, {
    closeMs: options.closeTimeoutMs ?? 10_000,
    reloadMs: options.reloadTimeoutMs ?? 30_000,
    lock,
  });
}

function readEnvLibrary(): string | null {
  try {
    return Deno.env.get("ROHAS_PYTHON_LIB") ?? null;
  } catch {
    return null;
  }
}

function startWorker(
  worker: Worker,
  message: ToWorker,
): Promise<Extract<FromWorker, { type: "ready" | "failed" }>> {
  return new Promise((resolve) => {
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const data = event.data;
      if (data.type === "ready" || data.type === "failed") resolve(data);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      const error = { name: "Error", message: event.message };
      resolve({ type: "failed", stage: "start", error, tried: [] });
    };
    worker.postMessage(message);
  });
}

/** A running Python runtime; create it with {@linkcode createPythonRuntime}. */
export class PythonRuntime implements HandlerRuntime, AsyncDisposable {
  #worker: Worker;
  #pending = new Map<number, Pending>();
  #outbox: string[] = [];
  #idle: (() => void) | null = null;
  #nextId = 1;
  #closing: Promise<void> | null = null;
  #closeTimeoutMs: number;
  #reloadTimeoutMs: number;
  #lock: Deno.FsFile;
  /** The libpython that was loaded. */
  readonly library: string;

  /** Use {@linkcode createPythonRuntime}. */
  constructor(
    worker: Worker,
    library: string,
    options: { closeMs: number; reloadMs: number; lock: Deno.FsFile },
  ) {
    this.#worker = worker;
    this.#lock = options.lock;
    this.library = library;
    this.#closeTimeoutMs = options.closeMs;
    this.#reloadTimeoutMs = options.reloadMs;
    worker.onmessage = (event: MessageEvent<FromWorker>) => this.#receive(event.data);
  }

  #receive(message: FromWorker): void {
    if (message.type !== "reply") return;
    for (const line of message.json.split("\n")) {
      const reply = JSON.parse(line) as Reply;
      const pending = this.#pending.get(reply.id);
      if (pending === undefined) continue;
      this.#forget(reply.id);
      pending.resolve(reply);
    }
  }

  #forget(id: number): void {
    this.#pending.delete(id);
    if (this.#pending.size === 0) this.#idle?.();
  }

  #submit(message: Record<string, unknown>): { id: number; reply: Promise<Reply> } {
    const id = this.#nextId++;
    const { promise, resolve } = Promise.withResolvers<Reply>();
    this.#pending.set(id, { resolve });
    this.#send(JSON.stringify({ ...message, id }));
    return { id, reply: promise };
  }

  /** Calls made in one task go to the worker as one message, one JSON document per line. */
  #send(json: string): void {
    this.#outbox.push(json);
    if (this.#outbox.length > 1) return;
    queueMicrotask(() => {
      const batch = this.#outbox.join("\n");
      this.#outbox = [];
      this.#post({ type: "submit", json: batch });
    });
  }

  #post(message: ToWorker): void {
    this.#worker.postMessage(message);
  }

  /** Runs one handler call; never rejects. A timed-out coroutine is cancelled. */
  async invoke(invocation: Invocation): Promise<InvocationResult> {
    const started = performance.now();
    if (this.#closing !== null) {
      return closedResult(started);
    }
    const { id, reply } = this.#submit({
      op: "invoke",
      handler: invocation.handler,
      input: invocation.input,
      traceId: invocation.traceId,
    });
    const outcome = await raceTimeout(reply, invocation.timeoutMs);
    if (outcome === "timeout") {
      this.#forget(id);
      this.#send(JSON.stringify({ op: "cancel", target: id, id: 0 }));
      return timeoutResult(invocation, started);
    }
    return toResult(outcome, performance.now() - started);
  }

  /** Loads or reloads one module; a syntax error comes back with file and line. */
  async reload(file: string): Promise<SerializedError | null> {
    if (this.#closing !== null) return null;
    const { reply: pending } = this.#submit({ op: "reload", file });
    const reply = await raceTimeout(pending, this.#reloadTimeoutMs);
    if (reply === "timeout") {
      const message = `Reloading "${file}" timed out after ${this.#reloadTimeoutMs} ms`;
      return { name: "TimeoutError", message: `${message}: a handler blocks the Python loop` };
    }
    return reply.ok ? null : reply.error;
  }

  /** Waits for in-flight calls (up to the deadline), stops the loop, ends the Worker. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    if (this.#pending.size > 0) await this.#drain();
    const { reply } = this.#submit({ op: "close" });
    const confirmed = await raceTimeout(reply, this.#closeTimeoutMs);
    const closed = new Promise<void>((resolve) => {
      this.#worker.onmessage = (event: MessageEvent<FromWorker>) => {
        if (event.data.type === "closed") resolve();
      };
    });
    this.#post({ type: confirmed === "timeout" ? "abandon" : "shutdown" });
    await closed;
    this.#worker.terminate();
    this.#lock.close();
    for (const pending of this.#pending.values()) {
      pending.resolve({ id: 0, ok: false, error: closedError() });
    }
    this.#pending.clear();
  }

  /** Resolves when no call is in flight, or at the close deadline. */
  async #drain(): Promise<void> {
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#idle = resolve;
    const timer = setTimeout(resolve, this.#closeTimeoutMs);
    await promise;
    clearTimeout(timer);
    this.#idle = null;
  }

  /** Same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

async function raceTimeout(call: Promise<Reply>, ms: number): Promise<Reply | "timeout"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ms);
  });
  try {
    return await Promise.race([call, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function toResult(reply: Reply, durationMs: number): InvocationResult {
  if (reply.ok) {
    return {
      ok: true,
      output: { kind: "json", value: reply.output ?? null },
      effects: reply.effects ?? [],
      durationMs,
    };
  }
  return {
    ok: false,
    reason: reply.reason ?? "error",
    error: reply.error,
    effects: reply.effects ?? [],
    durationMs,
  };
}

function timeoutResult(invocation: Invocation, started: number): InvocationResult {
  const { name, file } = invocation.handler;
  return {
    ok: false,
    reason: "timeout",
    error: {
      name: "TimeoutError",
      message: `Handler "${name}" timed out after ${invocation.timeoutMs} ms: ${file}`,
    },
    effects: [],
    durationMs: performance.now() - started,
  };
}

function closedError(): SerializedError {
  return { name: "PythonRuntimeError", message: "The Python runtime is closed" };
}

function closedResult(started: number): InvocationResult {
  return {
    ok: false,
    reason: "error",
    error: closedError(),
    effects: [],
    durationMs: performance.now() - started,
  };
}
