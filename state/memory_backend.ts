/**
 * The in-memory `[state]` backend: one process's map, for tests and single-isolate apps. It is
 * not shared between isolates: `rohas dev` and `rohas start` use the embedded `denokv` file.
 *
 * @module
 */

import { compareKeys, encodeKey } from "./_keys.ts";
import { type KvBackend, type StoredEntry, versionstampOf } from "./backend.ts";
import type { KvCheck, KvCommitResult, KvKey, KvMutation } from "./kv.ts";

interface Slot {
  key: KvKey;
  json: string;
  versionstamp: string;
  expiresAt: number | null;
}

/** Options of {@linkcode createMemoryKvBackend}. */
export interface MemoryKvOptions {
  /** Milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
}

/**
 * A backend holding entries in this process's memory.
 *
 * @param options the clock
 * @returns the backend
 */
export function createMemoryKvBackend(options: MemoryKvOptions = {}): KvBackend {
  const now = options.now ?? Date.now;
  const slots = new Map<string, Slot>();
  let counter = 0n;
  const live = (slot: Slot | undefined) =>
    slot !== undefined && (slot.expiresAt === null || slot.expiresAt > now()) ? slot : undefined;
  const entry = (slot: Slot): StoredEntry => ({
    key: slot.key,
    value: JSON.parse(slot.json),
    versionstamp: slot.versionstamp,
  });
  return {
    type: "memory",
    get(key) {
      const slot = live(slots.get(encodeKey(key)));
      return Promise.resolve(slot ? entry(slot) : null);
    },
    async *list({ prefix, limit, reverse, after }) {
      const below = prefix.length === 0 ? "" : `${encodeKey(prefix)}.`;
      const found = [...slots.entries()]
        .filter(([text, slot]) => text.startsWith(below) && text !== "" && live(slot))
        .map(([, slot]) => slot)
        .sort((a, b) => compareKeys(a.key, b.key));
      if (reverse) found.reverse();
      const direction = reverse ? -1 : 1;
      const rest = after === null
        ? found
        : found.filter((slot) => compareKeys(slot.key, after) * direction > 0);
      for (const slot of rest.slice(0, limit)) yield entry(slot);
    },
    commit(checks: readonly KvCheck[], mutations: readonly KvMutation[]) {
      for (const check of checks) {
        const current = live(slots.get(encodeKey(check.key)))?.versionstamp ?? null;
        if (current !== check.versionstamp) return Promise.resolve<KvCommitResult>({ ok: false });
      }
      const versionstamp = versionstampOf(++counter);
      for (const mutation of mutations) {
        const text = encodeKey(mutation.key);
        if (mutation.type === "delete") slots.delete(text);
        else {
          slots.set(text, {
            key: [...mutation.key],
            json: JSON.stringify(mutation.value),
            versionstamp,
            expiresAt: mutation.expireIn === undefined ? null : now() + mutation.expireIn,
          });
        }
      }
      return Promise.resolve<KvCommitResult>({ ok: true, versionstamp });
    },
    close: () => Promise.resolve(),
  };
}
