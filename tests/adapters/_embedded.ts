/**
 * Helpers of the embedded adapters' tests (rocksdb_test.ts, denokv_test.ts).
 *
 * @module
 */

import type { Adapter, Delivery, EventEnvelope } from "../../adapters/mod.ts";

/** Subscribes an acknowledging handler and resolves with the first `count` deliveries. */
export async function collect(
  adapter: Adapter,
  topic: string,
  group: string,
  count: number,
): Promise<Delivery[]> {
  const seen: Delivery[] = [];
  const done = Promise.withResolvers<Delivery[]>();
  await adapter.subscribe(topic, group, async (delivery) => {
    await delivery.ack();
    seen.push(delivery);
    if (seen.length === count) done.resolve(seen);
  });
  return deadline(done.promise, `${count} deliveries of "${topic}"`);
}

/** A fresh envelope, with an idempotency key when given. */
export function envelope(topic: string, payload: unknown, key?: string): EventEnvelope {
  return {
    id: crypto.randomUUID(),
    topic,
    payload,
    timestamp: new Date().toISOString(),
    metadata: {
      trace_id: crypto.randomUUID(),
      parent_id: null,
      source: "workbench",
      attempt: 1,
      ...(key === undefined ? {} : { idempotency_key: key }),
    },
  };
}

/** Rejects when `promise` has not settled within `ms` (generous: Deno KV queues are slow under load). */
export function deadline<T>(promise: Promise<T>, what: string, ms = 30_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** Polls `check` until it holds, failing after `ms`. */
export async function eventually(check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > end) throw new Error("Timed out waiting for a condition");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Storage paths for the conformance suite: a fresh directory for each case, the same one within a
 * case (a re-created adapter is a restarted engine). Every case begins by creating an adapter it
 * closes without starting (to read its guarantees); the adapter created after such a probe gets a
 * new directory. Directories are removed when the test file ends.
 */
export class CasePaths {
  readonly #file: string;
  readonly #dirs: string[] = [];
  #current: string | undefined;
  #fresh = true;

  /** @param file the store's name inside each directory, or `""` for the directory itself */
  constructor(file: string) {
    this.#file = file;
    globalThis.addEventListener("unload", () => {
      for (const dir of this.#dirs) Deno.removeSync(dir, { recursive: true });
    });
  }

  /** Creates an adapter on the current case's path and watches whether it is started. */
  create<A extends Adapter>(open: (path: string) => A): A {
    if (this.#fresh || this.#current === undefined) {
      const dir = Deno.makeTempDirSync({ prefix: "rohas_conformance_" });
      this.#dirs.push(dir);
      this.#current = this.#file === "" ? dir : `${dir}/${this.#file}`;
      this.#fresh = false;
    }
    const adapter = open(this.#current);
    let started = false;
    const start = adapter.start.bind(adapter);
    const close = adapter.close.bind(adapter);
    adapter.start = () => {
      started = true;
      return start();
    };
    adapter.close = () => {
      if (!started) this.#fresh = true;
      return close();
    };
    return adapter;
  }
}
