/**
 * One handler Worker as the engine sees it: its calls in flight by correlation id, the files it has
 * imported, and a batching outbox. It knows nothing of pools; the runtime decides when to replace it.
 *
 * @module
 */

import type { HandlerRef, InvocationResult, SerializedError } from "./contract.ts";
import {
  type Batch,
  type EngineMessage,
  fromDone,
  fromWire,
  type FromWorker,
  markOf,
  Outbox,
  serializeError,
  unbatch,
} from "./protocol.ts";
import type { WorkerPermissions } from "./_profiles.ts";
import { packForWorker, unpackDoneCalls } from "./_flat_calls.ts";
import type { KvAskMessage, WorkerMessage } from "./protocol.ts";
import type { KvResponse } from "../../state/mod.ts";

/** A call or load waiting for its answer. */
export type Pending =
  | InvokePending
  | { type: "load"; settle: (error: SerializedError | null) => void }
  | { type: "ping"; settle: () => void };

/** A call waiting for its answer. */
export interface InvokePending {
  type: "invoke";
  started: number;
  /** The handler's name, for messages about the Worker it ran in. */
  readonly handlerName: string;
  settle: (result: InvocationResult) => void;
  /** Its start-mark slot while it is in flight here (set by {@linkcode WorkerHandle.send}). */
  slot: number;
  /** Runs the call elsewhere; called instead of failing it when the Worker died before starting it. */
  redispatch?: () => void;
}

/** Options of a {@linkcode WorkerHandle}. */
export interface WorkerHandleOptions {
  /** The Worker's Deno permissions. */
  permissions: WorkerPermissions;
  /** The Worker threw an uncaught error, or a message could not be read. */
  onCrash: CrashListener;
  /** The Worker ended by itself (`Deno.exit()` or `close()` in handler code). */
  onExit: (handle: WorkerHandle) => void;
  /** Answers the `state.kv` operations of its handlers (rejects with the operation's error). */
  answerKv: (request: unknown) => Promise<KvResponse>;
}

/** Calls in flight per Worker that can be told apart as started or not (more count as started). */
const SLOTS = 4096;

/** How a handle reports that its Worker died on its own. */
export type CrashListener = (handle: WorkerHandle, error: SerializedError) => void;

const WORKER_URL = new URL("./worker_main.ts", import.meta.url);

/** A live handler Worker and its calls in flight. */
export class WorkerHandle {
  /** Files this Worker has been asked to import (reload targets). */
  readonly files: Set<string> = new Set();
  readonly #worker: Worker;
  readonly #outbox: Outbox<EngineMessage>;
  readonly #pending = new Map<number, Pending>();
  readonly #idleWaiters: (() => void)[] = [];
  readonly #handlerIds = new Map<HandlerRef, number>();
  /** Call ids the Worker marks as it starts them (see `MarksMessage`). */
  readonly #marks = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
  readonly #freeSlots: number[] = Array.from({ length: SLOTS }, (_, i) => SLOTS - 1 - i);
  /** Slots of calls that timed out: freed when their late answer comes (they may still start). */
  readonly #forgotten = new Map<number, number>();
  readonly #exit = new Int32Array(new SharedArrayBuffer(4));
  readonly #answerKv: (request: unknown) => Promise<KvResponse>;
  #lastHandlerId = 0;
  #terminated = false;
  /** Set while a stuck-check ping is outstanding. */
  pinging = false;
  /** `performance.now()` of the last message from the Worker (or of its start). */
  lastHeard: number = performance.now();

  /**
   * Starts a Worker with `permissions`.
   *
   * @param name shown in Deno's errors and traces
   * @param permissions the profile's permissions
   * @param onCrash called when the Worker dies of an uncaught error
   */
  constructor(name: string, options: WorkerHandleOptions) {
    const { permissions, onCrash } = options;
    this.#answerKv = options.answerKv;
    this.#worker = new Worker(WORKER_URL, {
      type: "module",
      name,
      deno: { permissions },
    } as WorkerOptions);
    this.#outbox = new Outbox((posted) => this.#post(posted));
    const exit = this.#exit.buffer as SharedArrayBuffer;
    this.#worker.postMessage({ type: "marks", id: 0, marks: this.#marks.buffer, exit });
    this.#watchExit(options.onExit);
    this.#worker.onmessage = (event: MessageEvent<FromWorker>) => this.#receive(event.data);
    this.#worker.onerror = (event) => {
      event.preventDefault();
      onCrash(this, { name: "WorkerError", message: event.message });
    };
    this.#worker.onmessageerror = () => {
      onCrash(this, {
        name: "WorkerError",
        message: "A message from the Worker could not be read",
      });
    };
  }

  /** Resolves when the Worker ends by itself (its unload sets the flag), never after terminate(). */
  #watchExit(onExit: (handle: WorkerHandle) => void): void {
    const waiting = Atomics.waitAsync(this.#exit, 0, 0);
    if (!waiting.async) return onExit(this);
    waiting.value.then(() => {
      if (!this.#terminated) onExit(this);
    });
  }

  /** The handlers of the calls this Worker started and has not answered, in call order. */
  startedHandlers(): string[] {
    const names: string[] = [];
    for (const [id, entry] of this.#pending) {
      if (entry.type === "invoke" && !this.#unstarted(id, entry)) names.push(entry.handlerName);
    }
    return names;
  }

  /** Calls and loads in flight. */
  get load(): number {
    return this.#pending.size;
  }

  /** Resolves once no call or load is in flight (at once when none is), or the Worker ended. */
  idle(): Promise<void> {
    if (this.#pending.size === 0 || this.#terminated) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #notifyIdle(): void {
    if (this.#pending.size > 0 && !this.#terminated) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  /** Whether {@linkcode terminate} ran. */
  get terminated(): boolean {
    return this.#terminated;
  }

  /** Queues `message` and remembers how to settle its answer. */
  send(message: EngineMessage, pending: Pending): void {
    if (message.type === "invoke" && pending.type === "invoke") {
      pending.slot = message.slot = this.#freeSlots.pop() ?? -1;
    }
    this.#pending.set(message.id, pending);
    this.#outbox.send(message);
  }

  /**
   * The number this Worker knows `ref` by, plus `ref` itself when the Worker has not seen it yet
   * (so a call does not clone the whole reference every time).
   */
  /** Sends a message no answer is expected to. */
  post(message: EngineMessage): void {
    this.#outbox.send(message);
  }

  handlerId(ref: HandlerRef): { handler: number; ref?: HandlerRef } {
    const known = this.#handlerIds.get(ref);
    if (known !== undefined) return { handler: known };
    const handler = ++this.#lastHandlerId;
    this.#handlerIds.set(ref, handler);
    return { handler, ref };
  }

  /** Forgets a call whose answer no longer matters (it timed out). */
  forget(id: number): void {
    const entry = this.#pending.get(id);
    this.#pending.delete(id);
    if (entry?.type === "invoke" && entry.slot >= 0) this.#forgotten.set(id, entry.slot);
    this.#notifyIdle();
  }

  /**
   * Stops the Worker at once; every call in flight is settled with `error`, except, with
   * `redispatch`, calls the Worker never started: they run elsewhere (their `redispatch`).
   */
  terminate(error: SerializedError, options: { redispatch?: boolean } = {}): void {
    if (this.#terminated) return;
    this.#terminated = true;
    this.#worker.terminate();
    // Releases the exit watch (the Worker may never unload by itself now).
    Atomics.store(this.#exit, 0, 2);
    Atomics.notify(this.#exit, 0);
    const pending = [...this.#pending];
    this.#pending.clear();
    for (const [id, entry] of pending) {
      if (options.redispatch && this.#neverStarted(id, entry)) entry.redispatch();
      else settleWithError(entry, error);
    }
    this.#notifyIdle();
  }

  #neverStarted(
    id: number,
    entry: Pending,
  ): entry is InvokePending & { redispatch: () => void } {
    if (entry.type !== "invoke" || entry.redispatch === undefined) return false;
    return this.#unstarted(id, entry);
  }

  /** Whether the Worker never marked the call as started (a call without a slot counts as started). */
  #unstarted(id: number, entry: InvokePending): boolean {
    return entry.slot >= 0 && Atomics.load(this.#marks, entry.slot) !== markOf(id);
  }

  #release(id: number, entry: Pending | undefined): void {
    if (entry === undefined) {
      const slot = this.#forgotten.get(id);
      if (slot === undefined) return;
      this.#forgotten.delete(id);
      this.#freeSlots.push(slot);
    } else if (entry.type === "invoke" && entry.slot >= 0) {
      this.#freeSlots.push(entry.slot);
      entry.slot = -1;
    }
  }

  /** Posts to the Worker; a value that cannot be cloned fails its own call only, not the engine. */
  #post(posted: EngineMessage | Batch<EngineMessage>): void {
    try {
      this.#worker.postMessage(packForWorker(posted));
    } catch (thrown) {
      if (posted.type === "batch") this.#postSeparately(posted.messages);
      else this.#failSending(posted, thrown);
    }
  }

  /** After a batch failed to clone: sends each message alone, failing only those that throw. */
  #postSeparately(messages: EngineMessage[]): void {
    // Handler references that did not arrive must travel with the next call that uses them.
    const lost = new Map<number, HandlerRef>();
    for (const message of messages) {
      if (message.type === "invoke" && message.ref === undefined) {
        const ref = lost.get(message.handler);
        if (ref !== undefined) message.ref = ref;
      }
      try {
        this.#worker.postMessage(message);
        if (message.type === "invoke") lost.delete(message.handler);
      } catch (thrown) {
        if (message.type === "invoke" && message.ref) lost.set(message.handler, message.ref);
        this.#fail(message, thrown);
      }
    }
    for (const ref of lost.values()) this.#handlerIds.delete(ref);
  }

  #failSending(message: EngineMessage, thrown: unknown): void {
    if (message.type === "invoke" && message.ref) this.#handlerIds.delete(message.ref);
    this.#fail(message, thrown);
  }

  #fail(message: EngineMessage, thrown: unknown): void {
    if (message.type === "kv_answer") {
      // Its id is the Worker's, not a call's: the handler's operation fails, nothing else.
      if (message.response !== undefined) this.#kvFailed(message.id, thrown);
      return;
    }
    const entry = this.#pending.get(message.id);
    this.#pending.delete(message.id);
    this.#release(message.id, entry);
    if (entry !== undefined) settleWithError(entry, serializeError(thrown));
  }

  #receive(posted: FromWorker): void {
    this.lastHeard = performance.now();
    for (const message of unbatch(posted)) {
      if (message.type === "done_calls") unpackDoneCalls(message, this.#handle);
      else this.#handle(message);
    }
    this.#notifyIdle();
  }

  readonly #handle = (message: WorkerMessage): void => {
    if (message.type === "kv") return this.#kv(message);
    const entry = this.#pending.get(message.id);
    this.#release(message.id, entry);
    if (entry === undefined) return;
    this.#pending.delete(message.id);
    switch (message.type) {
      case "result":
        if (entry.type === "invoke") entry.settle(fromWire(message.result));
        break;
      case "done":
        if (entry.type === "invoke") entry.settle(fromDone(message));
        break;
      case "loaded":
        if (entry.type === "load") entry.settle(message.error ?? null);
        break;
      case "pong":
        if (entry.type === "ping") entry.settle();
        break;
    }
  };

  /** Runs a handler's `state.kv` operation; its answer (or error) goes back by the Worker's id. */
  #kv(message: KvAskMessage): void {
    const id = message.id;
    this.#answerKv(message.request).then(
      (response) => this.#answer({ type: "kv_answer", id, response }),
      (error) => this.#answer({ type: "kv_answer", id, error: serializeError(error) }),
    );
  }

  #kvFailed(id: number, thrown: unknown): void {
    try {
      this.#worker.postMessage({ type: "kv_answer", id, error: serializeError(thrown) });
    } catch {
      // The Worker is gone: nobody waits for the answer.
    }
  }

  #answer(message: EngineMessage): void {
    if (!this.#terminated) this.#outbox.send(message);
  }
}

function settleWithError(entry: Pending, error: SerializedError): void {
  switch (entry.type) {
    case "invoke": {
      const durationMs = performance.now() - entry.started;
      entry.settle({ ok: false, reason: "error", error, effects: [], durationMs });
      return;
    }
    case "load":
      entry.settle(error);
      return;
    case "ping":
      entry.settle();
      return;
  }
}
