/**
 * Presence: each running instance keeps a key `["_rohas", "instances", <id>]` alive in the shared
 * state store (a heartbeat with an expiry), so an instance learns which others run the same app.
 * The assembly uses it to say, at start-up and whenever another instance appears, when the adapter
 * cannot coordinate instances (memory and rocksdb keep events in one process or directory).
 *
 * @module
 */

import type { Kv } from "../../state/mod.ts";

/** The key prefix of presence entries in the shared state (the project's namespace). */
export const PRESENCE_PREFIX = ["_rohas", "instances"] as const;

/** What an instance announces. */
export interface InstanceInfo {
  /** Its id (`ROHAS_INSTANCE_ID` or `<hostname>-<pid>`). */
  id: string;
  /** Its process id. */
  pid: number;
  /** Its adapter type. */
  adapter: string;
  /** ISO 8601. */
  started_at: string;
  /** Random per process: tells a second process with the same id from this one. */
  token: string;
}

/** Options of {@linkcode announcePresence}. */
export interface PresenceOptions {
  /** This instance's id. */
  instanceId: string;
  /** This instance's adapter type. */
  adapter: string;
  /**
   * Another instance was seen for the first time (at start-up or on a later heartbeat); `sameId`
   * when it announces this instance's own id from another process.
   */
  onInstance: (other: InstanceInfo, sameId: boolean) => void;
  /** A heartbeat failed (the store is unreachable). Default: ignored. */
  onError?: (error: unknown) => void;
  /** Between heartbeats. Default 5000. */
  heartbeatMs?: number;
}

/** A running presence; `close()` stops the heartbeat and removes this instance's entry. */
export interface Presence {
  /** The instances alive now (this one included), sorted by id. */
  instances(): Promise<InstanceInfo[]>;
  /** Stops the heartbeat and deletes this instance's entry. */
  close(): Promise<void>;
}

/**
 * Announces this instance and watches for others.
 *
 * @param kv the project's shared state
 * @param options this instance, and what to call for another
 * @returns the presence
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { createMemoryKvBackend, kvOver } from "../../state/mod.ts";
 * import { announcePresence } from "./presence.ts";
 * const kv = kvOver(createMemoryKvBackend());
 * const seen: string[] = [];
 * const a = await announcePresence(kv, { instanceId: "a", adapter: "nats", onInstance: () => {} });
 * const b = await announcePresence(kv, {
 *   instanceId: "b",
 *   adapter: "nats",
 *   onInstance: (other) => seen.push(other.id),
 * });
 * assertEquals(seen.join(), "a");
 * await b.close();
 * await a.close();
 * await kv.close();
 * ```
 */
export async function announcePresence(kv: Kv, options: PresenceOptions): Promise<Presence> {
  const heartbeatMs = options.heartbeatMs ?? 5000;
  const me: InstanceInfo = {
    id: options.instanceId,
    pid: Deno.pid,
    adapter: options.adapter,
    started_at: new Date().toISOString(),
    token: crypto.randomUUID(),
  };
  const key = [...PRESENCE_PREFIX, me.id];
  const seen = new Set<string>();
  const instances = async () => {
    const out: InstanceInfo[] = [];
    for await (const entry of kv.list<InstanceInfo>({ prefix: PRESENCE_PREFIX })) {
      out.push(entry.value);
    }
    return out.sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  };
  const look = async () => {
    for (const other of await instances()) {
      if (other.token === me.token || seen.has(other.token)) continue;
      seen.add(other.token);
      options.onInstance(other, other.id === me.id);
    }
  };
  await look();
  // Three heartbeats missed: the entry expires, and a crashed instance stops being counted.
  const beat = () => kv.set(key, me, { expireIn: heartbeatMs * 3 });
  await beat();
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = beat().then(look).catch(options.onError ?? (() => {}));
  }, heartbeatMs);
  Deno.unrefTimer(timer);
  return {
    instances,
    close: async () => {
      clearInterval(timer);
      await running;
      const current = await kv.get<InstanceInfo>(key);
      // A process that took over the id (after this one was thought gone) keeps its entry.
      if (current.value?.token === me.token) {
        await kv.atomic().check(current).delete(key).commit();
      }
    },
  };
}
