/**
 * Helpers of the embedded adapters' tests (rocksdb_test.ts, denokv_test.ts).
 *
 * @module
 */

import type { Adapter, Delivery, EventEnvelope } from "../../adapters/adapter.ts";

/** A temporary directory removed on dispose. */
export async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "rohas_adapter_" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

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

/** Rejects when `promise` has not settled within `ms`. */
export function deadline<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** Polls `check` until it holds, failing after `ms`. */
export async function eventually(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > end) throw new Error("Timed out waiting for a condition");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
