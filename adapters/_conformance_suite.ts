/**
 * What the conformance cases share: a case's adapter, topic and deadlines ({@linkcode Suite}), a
 * collector of deliveries ({@linkcode Inbox}), a gate that holds a handler, and plain assertions
 * that name what they compare.
 *
 * @module
 */

import type { Adapter, Delivery, EventEnvelope } from "./adapter.ts";
import type { ConformanceOptions } from "./conformance.ts";

export type Disposable = Adapter & AsyncDisposable;

export class Suite {
  readonly options: ConformanceOptions;
  readonly topic: string;
  readonly timeoutMs: number;

  constructor(options: ConformanceOptions, caseName: string) {
    this.options = options;
    const slug = caseName.split(" ").slice(0, 2).join("_");
    this.topic = `Conformance_${slug}_${crypto.randomUUID().slice(0, 8)}`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async open(): Promise<Disposable> {
    const adapter = await this.options.create();
    await adapter.start();
    return Object.assign(adapter, { [Symbol.asyncDispose]: () => adapter.close() });
  }

  envelope(payload: unknown, metadata: Partial<EventEnvelope["metadata"]> = {}): EventEnvelope {
    return {
      id: crypto.randomUUID(),
      topic: this.topic,
      payload,
      timestamp: new Date().toISOString(),
      metadata: {
        trace_id: crypto.randomUUID(),
        parent_id: null,
        source: "workbench",
        attempt: 1,
        ...metadata,
      },
    };
  }

  async publishMany(adapter: Adapter, count: number, from = 0): Promise<EventEnvelope[]> {
    const sent: EventEnvelope[] = [];
    for (let n = from; n < from + count; n++) {
      const envelope = this.envelope({ n });
      await adapter.publish(envelope);
      sent.push(envelope);
    }
    return sent;
  }

  deadline<T>(promise: Promise<T>, what: string): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Timed out after ${this.timeoutMs} ms waiting for ${what}`)),
        this.timeoutMs,
      );
    });
    return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
  }

  async eventually(check: () => Promise<boolean>, what: string): Promise<void> {
    const end = performance.now() + this.timeoutMs;
    while (!(await check())) {
      if (performance.now() > end) {
        throw new Error(`Timed out after ${this.timeoutMs} ms waiting for ${what}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** Collects deliveries and lets a test await a count of them. */
export class Inbox {
  readonly items: Delivery[] = [];
  readonly #suite: Suite;
  #waiters: { count: number; resolve: () => void }[] = [];

  constructor(suite: Suite) {
    this.#suite = suite;
  }

  push(delivery: Delivery): void {
    this.items.push(delivery);
    this.#waiters = this.#waiters.filter((waiter) => {
      if (this.items.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  }

  /** A handler that records and acknowledges each delivery. */
  acking(): (delivery: Delivery) => Promise<void> {
    return async (delivery) => {
      await delivery.ack();
      this.push(delivery);
    };
  }

  async waitFor(count: number, what: string): Promise<Delivery[]> {
    if (this.items.length < count) {
      const reached = Promise.withResolvers<void>();
      this.#waiters.push({ count, resolve: reached.resolve });
      await this.#suite.deadline(
        reached.promise,
        `${what} (${this.items.length} of ${count} so far)`,
      )
        .catch((error) => {
          throw new Error(`${error.message}; got ${this.items.length}`);
        });
    }
    return this.items.slice(0, count);
  }
}

/** Holds a handler until the test releases it. */
export class Gate {
  readonly #reached = Promise.withResolvers<void>();
  readonly #released = Promise.withResolvers<void>();
  readonly reached = this.#reached.promise;
  readonly released = this.#released.promise;

  entered(): void {
    this.#reached.resolve();
  }

  release(): void {
    this.#released.resolve();
  }
}

export function ids(items: ({ envelope: EventEnvelope } | EventEnvelope)[]): string[] {
  return items.map((item) => "envelope" in item ? item.envelope.id : item.id);
}

export function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

export function assertEquals(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(sorted(actual));
  const e = JSON.stringify(sorted(expected));
  if (a !== e) throw new Error(`Unexpected ${what}: expected ${e}, got ${a}`);
}

export async function assertRejects(action: () => Promise<unknown>, what: string): Promise<void> {
  try {
    await action();
  } catch {
    return;
  }
  throw new Error(`Expected ${what} to reject`);
}

export function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
  return Object.fromEntries(entries.map(([key, item]) => [key, sorted(item)]));
}
