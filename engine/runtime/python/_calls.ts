/**
 * The calls in flight on the current Python host: handler calls and reloads (which `close()` waits
 * for), control messages (cancel, blocker, close; nobody waits for them at close), the deadlines of
 * the handler calls, and the numbers the host knows its handlers by.
 *
 * @module
 */

import type { HandlerRef, Invocation, SerializedError } from "../contract.ts";
import type { Reply } from "./_protocol.ts";
import { Deadlines } from "./_deadlines.ts";
import type { HostProcess } from "./_process.ts";

interface Pending {
  resolve(reply: Reply): void;
  /** The handler called (`""` for a reload), or null for control messages (cancel, blocker, close). */
  handler: string | null;
  /** Ends a handler call past its deadline. */
  expire?: () => void;
}

/** The calls sent to the current host and not answered yet. */
export class HostCalls {
  /** Handler calls and reloads on the current host; `close()` waits for them. */
  #pending = new Map<number, Pending>();
  /** Control messages on the current host; nobody waits for them at close. */
  #control = new Map<number, Pending>();
  #idle: (() => void) | null = null;
  #nextId = 1;
  /**
   * Numbers of the handlers the current host was told about: a call names its handler by number
   * after the first (which carries the whole reference), so each call's line stays short.
   */
  #handlerIds = new WeakMap<HandlerRef, number>();
  #deadlines = new Deadlines({
    waiting: (id) => this.#pending.has(id),
    expired: (id) => {
      const pending = this.#pending.get(id);
      this.#forget(id);
      pending?.expire?.();
    },
  });
  #nextHandler = 1;

  /** Handler calls and reloads in flight. */
  get size(): number {
    return this.#pending.size;
  }

  /** The names of the handlers in flight, each once. */
  handlers(): string[] {
    return [...new Set([...this.#pending.values()].map((p) => p.handler ?? ""))]
      .filter((name) => name !== "");
  }

  /** Forgets the handler numbers: a new host knows none. */
  newHost(): void {
    this.#handlerIds = new WeakMap();
    this.#nextHandler = 1;
  }

  /** Settles the call a reply answers (nothing when it was settled already). */
  receive(reply: Reply): void {
    const pending = this.#pending.get(reply.id) ?? this.#control.get(reply.id);
    if (pending === undefined) return;
    this.#forget(reply.id);
    if (pending.expire !== undefined) this.#deadlines.settled();
    pending.resolve(reply);
  }

  /** Sends a control message (cancel, blocker, close); `close()` does not wait for its reply. */
  control(host: HostProcess, message: Record<string, unknown>): { reply: Promise<Reply> } {
    return this.#submit(host, message, null);
  }

  /** Sends a reload of one module; `close()` waits for its reply. */
  reload(host: HostProcess, file: string): { reply: Promise<Reply> } {
    return this.#submit(host, { op: "reload", file }, "");
  }

  #submit(
    host: HostProcess,
    message: Record<string, unknown>,
    handler: string | null,
  ): { id: number; reply: Promise<Reply> } {
    const id = this.#nextId++;
    const { promise, resolve } = Promise.withResolvers<Reply>();
    (handler === null ? this.#control : this.#pending).set(id, { resolve, handler });
    host.send(JSON.stringify({ ...message, id }));
    return { id, reply: promise };
  }

  /** Sends a handler call whose reply resolves with "timeout" past its deadline. */
  call(
    host: HostProcess,
    at: { invocation: Invocation; sent: number },
  ): { id: number; reply: Promise<Reply | "timeout"> } {
    const { invocation, sent } = at;
    const id = this.#nextId++;
    const { promise, resolve } = Promise.withResolvers<Reply | "timeout">();
    const pending: Pending = { resolve, handler: invocation.handler.name };
    pending.expire = () => resolve("timeout");
    this.#pending.set(id, pending);
    this.#deadlines.add(id, invocation.timeoutMs, sent);
    const { handler, input, traceId } = invocation;
    let h = this.#handlerIds.get(handler);
    const first = h === undefined;
    if (h === undefined) this.#handlerIds.set(handler, h = this.#nextHandler++);
    // Only the input goes through JSON.stringify: the envelope around it, numbers and a trace id,
    // is written here (one stringify of the whole message cost about 1 us more per call).
    host.send(
      first
        ? JSON.stringify({ op: "invoke", id, h, handler, input, traceId })
        : `{"op":"invoke","id":${id},"h":${h},"traceId":${JSON.stringify(traceId)},"input":${
          JSON.stringify(input)
        }}`,
    );
    return { id, reply: promise };
  }

  /** Fails every call in flight with `error`. */
  failAll(error: SerializedError): void {
    const calls = [...this.#pending.values(), ...this.#control.values()];
    this.#pending.clear();
    this.#control.clear();
    this.#deadlines.clear();
    for (const call of calls) call.resolve({ id: 0, ok: false, error });
    this.#idle?.();
  }

  /** Resolves when no call is in flight, or at the deadline. */
  async drain(deadlineMs: number): Promise<void> {
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#idle = resolve;
    const timer = setTimeout(resolve, deadlineMs);
    await promise;
    clearTimeout(timer);
    this.#idle = null;
  }

  #forget(id: number): void {
    this.#control.delete(id);
    if (!this.#pending.delete(id)) return;
    if (this.#pending.size === 0) this.#idle?.();
  }
}

/** The reply, or "timeout" when it does not come within `ms`. */
export async function raceTimeout(call: Promise<Reply>, ms: number): Promise<Reply | "timeout"> {
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
