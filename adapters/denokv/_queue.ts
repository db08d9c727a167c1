/**
 * The queue side of the denokv adapter: opening the database, telling the adapter's messages from
 * anything else `listenQueue` hands over, enqueueing a received message again, and parking the
 * messages of groups nobody consumes in this process until one subscribes.
 *
 * @module
 */

import type { EventEnvelope } from "../adapter.ts";
import { whileLocked } from "../../internal/denokv/mod.ts";
import { BrokerUnreachableError } from "../_support/mod.ts";
import type { QueueMessage } from "./_group.ts";
import { ROOT, undeliveredKey } from "./_publisher.ts";

/**
 * Opens the KV file (its directory created), or the default database.
 *
 * @throws {BrokerUnreachableError} when it cannot be opened
 */
export async function openKv(path: string | undefined): Promise<Deno.Kv> {
  try {
    if (path === undefined) return await Deno.openKv();
    const slash = path.lastIndexOf("/");
    if (slash > 0) await Deno.mkdir(path.slice(0, slash), { recursive: true });
    return await whileLocked(() => Deno.openKv(path));
  } catch (error) {
    throw new BrokerUnreachableError("denokv", path ?? "the default database", {
      setting: "[adapter] path",
      cause: error,
    });
  }
}

/** Enqueues a received message again, as it was. */
export async function requeue(kv: Deno.Kv, message: QueueMessage): Promise<void> {
  const id = (JSON.parse(message.text) as EventEnvelope).id;
  await whileLocked(() =>
    kv.enqueue(message, { keysIfUndelivered: [undeliveredKey(message, id)] })
  );
}

/** Keeps a message for a group nobody consumes in this process, until it subscribes. */
export async function park(kv: Deno.Kv, message: QueueMessage): Promise<void> {
  const key = [ROOT, "parked", message.topic, message.group, crypto.randomUUID()];
  await whileLocked(() => kv.set(key, message));
}

/** Enqueues again what was parked for a group, now that it has a subscriber here. */
export async function unpark(kv: Deno.Kv, at: { topic: string; group: string }): Promise<void> {
  const prefix = [ROOT, "parked", at.topic, at.group];
  for await (const entry of kv.list<QueueMessage>({ prefix })) {
    const id = (JSON.parse(entry.value.text) as EventEnvelope).id;
    await whileLocked(() =>
      kv.atomic().check(entry).delete(entry.key)
        .enqueue(entry.value, { keysIfUndelivered: [undeliveredKey(entry.value, id)] })
        .commit()
    );
  }
}

/** Whether a queue value is a wake-up message (the adapter's `#wake`). */
export function isWakeUp(value: unknown): value is { rohas: "wake"; instance: string } {
  const message = value as { rohas?: unknown; instance?: unknown } | null;
  return typeof message === "object" && message !== null && message.rohas === "wake" &&
    typeof message.instance === "string";
}

/** Whether a queue value is an event message of the adapter. */
export function isQueueMessage(value: unknown): value is QueueMessage {
  const message = value as Partial<QueueMessage> | null;
  return typeof message === "object" && message !== null && message.rohas === "event" &&
    typeof message.topic === "string" && typeof message.group === "string" &&
    typeof message.text === "string";
}
