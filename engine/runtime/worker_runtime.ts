/**
 * The Worker runtime: TypeScript handlers run in long-lived Deno Workers grouped by permission
 * profile (docs/design.md#d7-runtime), a few Workers per profile, calls dispatched to the least
 * loaded one.
 *
 * @module
 */

import type {
  HandlerRef,
  HandlerRuntime,
  Invocation,
  InvocationResult,
  RuntimePayloads,
  SerializedError,
} from "./contract.ts";
import type { PermissionsSection } from "../../project/mod.ts";
import {
  HandlerTimeoutError,
  RuntimeClosedError,
  RuntimeUnsupportedError,
  WorkerExitedError,
  WorkerRestartedError,
} from "./errors.ts";
import { type InvokeMessage, type PayloadsMessage, serializeError } from "./protocol.ts";
import { fileExists, refineFailure } from "./_classify.ts";
import { resolveProfile, type WorkerPermissions } from "./_profiles.ts";
import { type InvokePending, WorkerHandle } from "./_worker_handle.ts";
import { Deadline, Deadlines } from "./_deadlines.ts";
import { type KvResponse, StateError } from "../../state/mod.ts";

/** Options of {@linkcode createWorkerRuntime}. */
export interface WorkerRuntimeOptions {
  /** Absolute project root; relative permission paths resolve against it. */
  root: string;
  /** `RohasConfig.permissions`. */
  permissions: PermissionsSection;
  /**
   * Workers per permission profile. Default 2: a handler stuck in synchronous code holds one
   * Worker until its timeout, and the other keeps serving the profile (on 2 cores the throughput of
   * 1 and 2 measured the same within noise; see bench/runtime_bench.ts).
   */
  poolSize?: number;
  /** How long {@linkcode HandlerRuntime.close} waits for calls in flight. Default 10000. */
  drainTimeoutMs?: number;
  /**
   * After a call times out, its Worker must answer a ping within this many milliseconds or it is
   * terminated and replaced (a handler stuck in synchronous code blocks its whole Worker; one
   * merely awaiting something slow does not). Default 250.
   */
  stuckAfterMs?: number;
  /**
   * Keep started, idle Workers beside each pool for {@linkcode HandlerRuntime.renew} (hot reload):
   * a fresh Worker spends most of its start-up loading the runtime itself, so a reload that finds
   * them ready only imports the project's modules. Default false.
   */
  spares?: boolean;
  /** Told about every Worker that was replaced, with why (for the engine's log). */
  onWorkerRestart?: (profile: string, error: SerializedError) => void;
  /**
   * Answers the `state.kv` operations of the handlers (the Workers hold no store). Default: none
   * (they fail with a `StateError`).
   */
  answerKv?: (request: unknown) => Promise<KvResponse>;
}

interface Pool {
  name: string;
  permissions: WorkerPermissions;
  workers: WorkerHandle[];
  /** Started Workers that imported no handler module yet (see `spares`). */
  spares: WorkerHandle[];
}

/**
 * Creates a runtime that runs TypeScript handlers in permissioned Workers. Workers start on the
 * first call of their profile.
 *
 * @example Run a handler (a fragment: the handler reference and config come from a project, so it is not run as a documentation test)
 * ```ts ignore
 * const runtime = createWorkerRuntime({ root: "/app", permissions: config.permissions });
 * const result = await runtime.invoke({ handler, input: { kind: "cron" }, traceId: "t1", timeoutMs: 30_000 });
 * await runtime.close();
 * ```
 *
 * @param options project root, `[permissions]` config, pool size and deadlines
 * @returns the runtime; call `close()` when done
 */
export function createWorkerRuntime(options: WorkerRuntimeOptions): HandlerRuntime {
  return new WorkerRuntime(options);
}

class WorkerRuntime implements HandlerRuntime {
  readonly #options: WorkerRuntimeOptions;
  readonly #poolSize: number;
  /** Pools by canonical permission key; profiles with equal permissions share one. */
  readonly #pools = new Map<string, Pool>();
  readonly #poolsByProfile = new Map<string, Pool>();
  /** The module version that serves, per file; set by a successful reload. */
  readonly #versions = new Map<string, number>();
  /** The last version tried per file: a failed import stays cached, so every attempt is new. */
  readonly #attempts = new Map<string, number>();
  readonly #deadlines = new Deadlines();
  readonly #hooks: CallHooks = {
    finished: (call) => {
      if (call.invocation.sequence !== undefined) this.#leave(call, call.invocation.sequence);
      if (--this.#inFlight === 0) this.#idle?.();
    },
    timedOut: (call) => {
      call.worker.forget(call.id);
      this.#checkStuck(call.worker, call.invocation.handler);
    },
    stop: (call) => {
      call.worker.forget(call.id);
      const { name } = call.invocation.handler;
      const message =
        `Worker restarted: event handler "${name}" timed out and was stopped before its retry`;
      this.#replace(call.worker, new WorkerRestartedError(message));
    },
    redispatch: (call) => this.#redispatch(call),
  };
  /** The calls in flight of each sequence, in call order, and the Worker they run in. */
  readonly #sequenceCalls = new Map<
    string,
    { worker: WorkerHandle | null; calls: PendingInvoke[] }
  >();
  /** The payload types every Worker (a replacement too) is told, once set. */
  #payloads: PayloadsMessage | null = null;
  /** Workers replaced by {@linkcode renew}, finishing their calls; `close()` ends them too. */
  readonly #retiring = new Set<WorkerHandle>();
  #nextId = 0;
  #inFlight = 0;
  #closed = false;
  #idle: (() => void) | undefined;

  constructor(options: WorkerRuntimeOptions) {
    this.#options = options;
    this.#poolSize = Math.max(1, options.poolSize ?? 2);
  }

  invoke(invocation: Invocation): Promise<InvocationResult> {
    const { handler } = invocation;
    if (this.#closed) {
      const error = new RuntimeClosedError(`Runtime is closed: cannot run "${handler.name}"`);
      return Promise.resolve(failure(error));
    }
    if (handler.language !== "typescript") {
      const message = `Cannot run "${handler.name}": the Worker runtime runs TypeScript only`;
      return Promise.resolve(failure(new RuntimeUnsupportedError(message)));
    }
    try {
      return this.#run(invocation);
    } catch (thrown) {
      return Promise.resolve(failure(thrown));
    }
  }

  /** Sends one call; the returned promise settles through {@linkcode PendingInvoke}. */
  #run(invocation: Invocation): Promise<InvocationResult> {
    const pool = this.#poolFor(invocation.handler.profile);
    if (pool.workers.length === 0) pool.workers.push(this.#spawn(pool));
    this.#inFlight++;
    return new Promise((resolve) => {
      const call = new PendingInvoke(invocation, resolve, this.#hooks);
      const sequence = invocation.sequence;
      // A call waiting behind others of its sequence has not started: its timeout starts with it.
      if (sequence === undefined || this.#join(call, sequence)) {
        this.#deadlines.add(call, invocation.timeoutMs, call.started);
      }
      this.#dispatch(call, pool);
    });
  }

  /** Sends `call` to the least loaded Worker of `pool`. */
  #dispatch(call: PendingInvoke, pool: Pool): void {
    const { handler, input, traceId, sequence } = call.invocation;
    const worker = sequence === undefined
      ? leastLoaded(pool)
      : this.#sequenceWorker(sequence, pool);
    const id = ++this.#nextId;
    const version = this.#versions.get(handler.file) ?? 0;
    worker.files.add(handler.file);
    call.worker = worker;
    call.id = id;
    const reference = worker.handlerId(handler);
    // Built field by field: no spread of the reference nor a second object for a sequence's call.
    const message: InvokeMessage = {
      type: "invoke",
      id,
      handler: reference.handler,
      version,
      input,
      traceId,
      slot: -1,
    };
    if (reference.ref !== undefined) message.ref = reference.ref;
    if (sequence !== undefined) message.sequence = sequence;
    worker.send(message, call);
  }

  sequences(handler: HandlerRef): boolean {
    return handler.language === "typescript";
  }

  endSequence(sequence: string): void {
    const worker = this.#sequenceCalls.get(sequence)?.worker;
    if (worker && !worker.terminated) worker.post({ type: "end_sequence", id: 0, sequence });
  }

  /** Adds a call to its sequence; true when it is the first (it starts at once). */
  #join(call: PendingInvoke, sequence: string): boolean {
    const entry = this.#sequenceCalls.get(sequence);
    if (entry !== undefined) return entry.calls.push(call) === 1;
    this.#sequenceCalls.set(sequence, { worker: null, calls: [call] });
    return true;
  }

  /**
   * A call of a sequence settled: the next one starts now in its Worker, so its timeout starts
   * now too. A sequence with no call in flight forgets its Worker.
   */
  #leave(call: PendingInvoke, sequence: string): void {
    const entry = this.#sequenceCalls.get(sequence);
    if (entry === undefined) return;
    const index = entry.calls.indexOf(call);
    if (index >= 0) entry.calls.splice(index, 1);
    if (entry.calls.length === 0) return void this.#sequenceCalls.delete(sequence);
    const head = entry.calls[0]!;
    if (index === 0) this.#deadlines.add(head, head.invocation.timeoutMs);
  }

  /** The Worker running a sequence's calls (they must all go to one), or the least loaded one. */
  #sequenceWorker(sequence: string, pool: Pool): WorkerHandle {
    const entry = this.#sequenceCalls.get(sequence)!;
    if (entry.worker === null || entry.worker.terminated) entry.worker = leastLoaded(pool);
    return entry.worker;
  }

  /** A call its Worker never started before it was replaced: runs it on the pool's Workers now. */
  #redispatch(call: PendingInvoke): void {
    try {
      if (this.#closed) throw new RuntimeClosedError("Runtime closed: call abandoned");
      const pool = this.#poolFor(call.invocation.handler.profile);
      if (pool.workers.length === 0) pool.workers.push(this.#spawn(pool));
      this.#dispatch(call, pool);
    } catch (thrown) {
      call.settle(failure(thrown, "error", call.started));
    }
  }

  checkPayloads(payloads: RuntimePayloads): void {
    this.#payloads = {
      type: "payloads",
      id: 0,
      version: (this.#payloads?.version ?? 0) + 1,
      events: { ...payloads.events },
      validators: `${this.#options.root}/src/generated/validators.ts`,
    };
    for (const worker of this.#allWorkers()) worker.post(this.#payloads);
  }

  async reload(file: string): Promise<SerializedError | null> {
    const version = Math.max(this.#attempts.get(file) ?? 0, this.#versions.get(file) ?? 0) + 1;
    this.#attempts.set(file, version);
    const targets = this.#allWorkers().filter((worker) => worker.files.has(file));
    const errors = await Promise.all(targets.map((worker) => this.#load(worker, file, version)));
    const error = errors.find((found) => found !== null);
    if (error !== undefined) return error;
    this.#versions.set(file, version);
    return null;
  }

  /**
   * A module handlers import changed: each pool running one of `files` gets fresh Workers, with
   * every module its Workers had loaded imported again, so no module keeps code or state from
   * before the edit. The old Workers serve until the new ones are ready, then finish their calls
   * and end; when a module fails to load, the old Workers keep serving.
   */
  async renew(files: readonly string[]): Promise<SerializedError | null> {
    const fresh = new Map<Pool, WorkerHandle[]>();
    const loads: Promise<SerializedError | null>[] = [];
    try {
      for (const pool of new Set(this.#pools.values())) {
        if (!pool.workers.some((worker) => files.some((file) => worker.files.has(file)))) continue;
        const workers = pool.workers.map(() => pool.spares.pop() ?? this.#spawn(pool));
        fresh.set(pool, workers);
        loads.push(...workers.flatMap((worker) => this.#preload(worker, pool)));
      }
    } catch (error) {
      loads.push(Promise.resolve(serializeError(error)));
    }
    const error = (await Promise.all(loads)).find((found) => found !== null) ?? null;
    if (error !== null || this.#closed) {
      for (const worker of [...fresh.values()].flat()) worker.terminate(error ?? closedError());
      for (const pool of fresh.keys()) this.#refillSpares(pool);
      return error;
    }
    for (const [pool, workers] of fresh) this.#swapWorkers(pool, workers);
    return null;
  }

  /** Imports in a new Worker every module its pool's Workers had loaded, at their version. */
  #preload(worker: WorkerHandle, pool: Pool): Promise<SerializedError | null>[] {
    const files = new Set(pool.workers.flatMap((old) => [...old.files]));
    return [...files].map((file) => {
      worker.files.add(file);
      return this.#load(worker, file, this.#versions.get(file) ?? 0);
    });
  }

  #swapWorkers(pool: Pool, workers: WorkerHandle[]): void {
    const old = pool.workers;
    pool.workers = workers;
    for (const worker of old) this.#retire(worker);
    this.#refillSpares(pool);
  }

  #refillSpares(pool: Pool): void {
    if (!this.#options.spares) return;
    try {
      while (pool.spares.length < this.#poolSize) pool.spares.push(this.#spawn(pool));
    } catch {
      // A reload without spares starts its Workers itself, and reports what stops them.
    }
  }

  /** Ends a replaced Worker once its calls are done (or the drain deadline passed). */
  async #retire(worker: WorkerHandle): Promise<void> {
    this.#retiring.add(worker);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#options.drainTimeoutMs ?? 10_000);
    });
    await Promise.race([worker.idle(), deadline]);
    clearTimeout(timer);
    this.#retiring.delete(worker);
    const message = "Worker replaced after a hot reload: call abandoned";
    worker.terminate(serializeError(new WorkerRestartedError(message)), { redispatch: true });
  }

  #load(worker: WorkerHandle, file: string, version: number): Promise<SerializedError | null> {
    const id = ++this.#nextId;
    return new Promise((settle) => {
      worker.send({ type: "load", id, file, version }, { type: "load", settle });
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    // Calls queued behind others never start: what is left to wait for is what runs now.
    for (const sequence of this.#sequenceCalls.keys()) this.endSequence(sequence);
    if (this.#inFlight > 0) await this.#drain(this.#options.drainTimeoutMs ?? 10_000);
    const error = serializeError(new RuntimeClosedError("Runtime closed: call abandoned"));
    for (const worker of [...this.#allWorkers(), ...this.#retiring]) worker.terminate(error);
    this.#retiring.clear();
    this.#pools.clear();
    this.#poolsByProfile.clear();
    this.#deadlines.close();
  }

  async #drain(deadlineMs: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const idle = new Promise<void>((resolve) => this.#idle = resolve);
    const deadline = new Promise<void>((resolve) => timer = setTimeout(resolve, deadlineMs));
    await Promise.race([idle, deadline]);
    clearTimeout(timer);
  }

  #poolFor(profile: string): Pool {
    const known = this.#poolsByProfile.get(profile);
    if (known !== undefined) return known;
    const { key, permissions } = resolveProfile(
      this.#options.permissions,
      profile,
      this.#options.root,
    );
    const pool = this.#pools.get(key) ?? this.#startPool(key, profile, permissions);
    this.#poolsByProfile.set(profile, pool);
    return pool;
  }

  /** Starts the Workers of a new pool; if one cannot start, none is kept. */
  #startPool(key: string, name: string, permissions: WorkerPermissions): Pool {
    const pool: Pool = { name, permissions, workers: [], spares: [] };
    try {
      while (pool.workers.length < this.#poolSize) pool.workers.push(this.#spawn(pool));
    } catch (error) {
      const reason = serializeError(error);
      for (const worker of pool.workers) worker.terminate(reason);
      throw error;
    }
    this.#pools.set(key, pool);
    this.#refillSpares(pool);
    return pool;
  }

  #refill(pool: Pool): void {
    try {
      while (pool.workers.length < this.#poolSize) pool.workers.push(this.#spawn(pool));
    } catch {
      // Reported by the next call of this pool, which tries again.
    }
  }

  #spawn(pool: Pool): WorkerHandle {
    const name = `rohas-handlers-${pool.name}`;
    const worker = new WorkerHandle(name, {
      permissions: pool.permissions,
      onCrash: (worker, error) => {
        const message = `Worker restarted: it crashed: ${error.message}`;
        this.#replace(worker, new WorkerRestartedError(message));
      },
      onExit: (worker) => this.#replace(worker, exitError(worker.startedHandlers())),
      answerKv: this.#options.answerKv ?? noStore,
    });
    if (this.#payloads !== null) worker.post(this.#payloads);
    return worker;
  }

  /** Pings a Worker whose call timed out; terminates it if the ping is not answered in time. */
  #checkStuck(worker: WorkerHandle, handler: HandlerRef): void {
    if (worker.pinging || worker.terminated) return;
    worker.pinging = true;
    const id = ++this.#nextId;
    const stuckAfterMs = this.#options.stuckAfterMs ?? 250;
    const timer = setTimeout(() => {
      worker.forget(id);
      const message =
        `Worker restarted: handler "${handler.name}" blocked it past its timeout (no answer in ${stuckAfterMs} ms)`;
      this.#replace(worker, new WorkerRestartedError(message));
    }, stuckAfterMs);
    worker.send({ type: "ping", id }, {
      type: "ping",
      settle: () => {
        clearTimeout(timer);
        worker.pinging = false;
      },
    });
  }

  /**
   * Terminates a stuck or crashed Worker and starts its replacement; calls it never started run on
   * the pool's Workers (the replacement included) instead of failing.
   */
  #replace(worker: WorkerHandle, reason: Error): void {
    const error = serializeError(reason);
    for (const pool of this.#pools.values()) {
      if (pool.spares.includes(worker)) pool.spares.splice(pool.spares.indexOf(worker), 1);
    }
    const pools = [...this.#pools.values()].filter((pool) => pool.workers.includes(worker));
    for (const pool of pools) {
      pool.workers.splice(pool.workers.indexOf(worker), 1);
      // A replacement that cannot start now is started by the pool's next call (see #run).
      if (!this.#closed) this.#refill(pool);
    }
    worker.terminate(error, { redispatch: !this.#closed });
    for (const pool of pools) this.#options.onWorkerRestart?.(pool.name, error);
  }

  #allWorkers(): WorkerHandle[] {
    return [...this.#pools.values()].flatMap((pool) => [...pool.workers, ...pool.spares]);
  }
}

/** What a {@linkcode PendingInvoke} tells its runtime (one object per runtime, not per call). */
interface CallHooks {
  finished(call: PendingInvoke): void;
  timedOut(call: PendingInvoke): void;
  /** Terminates and replaces the call's Worker (a timed-out event call, before its retry). */
  stop(call: PendingInvoke): void;
  redispatch(call: PendingInvoke): void;
}

/** One call in flight: its deadline, and how it settles (one object per call, no closures). */
class PendingInvoke extends Deadline implements InvokePending {
  readonly type = "invoke";
  readonly started = performance.now();
  readonly handlerName: string;
  readonly invocation: Invocation;
  /** The Worker it was last sent to, and its id there (both change when it is re-dispatched). */
  worker!: WorkerHandle;
  id = 0;
  slot = -1;
  readonly #resolve: (result: InvocationResult | Promise<InvocationResult>) => void;
  readonly #hooks: CallHooks;
  #settled = false;

  constructor(
    invocation: Invocation,
    resolve: (result: InvocationResult | Promise<InvocationResult>) => void,
    hooks: CallHooks,
  ) {
    super();
    this.invocation = invocation;
    this.handlerName = invocation.handler.name;
    this.#resolve = resolve;
    this.#hooks = hooks;
  }

  /** Its Worker died before starting it: send it again (its deadline keeps running). */
  redispatch(): void {
    if (!this.#settled) this.#hooks.redispatch(this);
  }

  /** The Worker answered (or died): refine a failure's reason, then resolve. */
  settle(result: InvocationResult): void {
    if (this.#settled) return;
    this.#settled = true;
    this.cancel();
    this.#hooks.finished(this);
    const { handler } = this.invocation;
    this.#resolve(result.ok ? result : refineFailure(result, handler, fileExists));
  }

  /**
   * The deadline passed first. An event call is stopped (its Worker replaced) before its failure
   * is reported, so the bus's retry never runs beside it; other calls keep their Worker unless it
   * is stuck.
   */
  expire(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#hooks.finished(this);
    const { handler, input, timeoutMs } = this.invocation;
    const stop = input.kind === "event" || input.kind === "event_batch";
    if (stop) this.#hooks.stop(this);
    const message = `Handler "${handler.name}" timed out after ${timeoutMs} ms` +
      (stop ? "; it was stopped (its Worker replaced)" : "");
    this.#resolve(failure(new HandlerTimeoutError(message), "timeout", this.started));
    if (!stop) this.#hooks.timedOut(this);
  }
}

/** Why calls failed when their Worker ended by itself, naming the handlers it was running. */
function exitError(handlers: readonly string[]): WorkerExitedError {
  const names = [...new Set(handlers)].map((name) => `"${name}"`);
  const running = names.length === 0
    ? "between calls"
    : `while running handler${names.length === 1 ? "" : "s"} ${names.join(", ")}`;
  return new WorkerExitedError(
    `Worker restarted: it ended ${running} (Deno.exit() or close() in handler code ends the ` +
      `Worker, not the server)`,
  );
}

/** A Worker with calls in flight that has not answered anything for this long is busy or stuck. */
const SILENT_MS = 50;

/**
 * The Worker with the fewest calls in flight, avoiding one suspected stuck (being pinged) or silent
 * (calls in flight, nothing heard for {@linkcode SILENT_MS}): a handler looping in synchronous code
 * holds its whole Worker, so new calls should go elsewhere long before its timeout.
 */
function leastLoaded(pool: Pool): WorkerHandle {
  const workers = pool.workers;
  if (workers.length === 1) return workers[0]!;
  const now = performance.now();
  let best = workers[0]!;
  let bestRank = rank(best, now);
  for (let index = 1; index < workers.length; index++) {
    const worker = workers[index]!;
    const workerRank = rank(worker, now);
    if (workerRank < bestRank) [best, bestRank] = [worker, workerRank];
  }
  return best;
}

function rank(worker: WorkerHandle, now: number): number {
  if (worker.pinging) return Number.MAX_SAFE_INTEGER;
  const silent = worker.load > 0 && now - worker.lastHeard > SILENT_MS;
  return silent ? Number.MAX_SAFE_INTEGER / 2 + worker.load : worker.load;
}

function closedError(): SerializedError {
  return serializeError(new RuntimeClosedError("Runtime closed: call abandoned"));
}

function noStore(): Promise<never> {
  return Promise.reject(
    new StateError("Cannot use state.kv: this runtime was started without a store"),
  );
}

function failure(
  thrown: unknown,
  reason: "error" | "timeout" = "error",
  started = performance.now(),
): InvocationResult {
  const durationMs = performance.now() - started;
  return { ok: false, reason, error: serializeError(thrown), effects: [], durationMs };
}
