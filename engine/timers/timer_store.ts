/**
 * A durable timer store over `state.kv`: timers survive a restart or `kill -9` because they live
 * in the shared state, and every instance's due loop (`_due_loop.ts`) fires each due timer once.
 *
 * Layout under `["_rohas", "timers", <name>]`, every write one key, so the store runs on every
 * `[state]` backend, NATS (one-key atomic operations) included:
 * - `["id", <id>]` holds the timer ({@linkcode TimerRecord}): the one source of truth. A claim is
 *   a check-and-set on it that writes who claimed it and until when (a lease).
 * - `["due", <dueAt>, <id>]` is an index the due loop lists in time order; it holds the token of the
 *   schedule that wrote it. An index entry whose record is gone or has another token is stale (left
 *   by a crash between two writes) and is removed once older than {@linkcode STALE_INDEX_MS}.
 *
 * Index first, record second: a crash in between leaves a stale index entry, never a timer that no
 * loop finds.
 *
 * @module
 */

import type { Kv, KvCommitResult, KvEntry, KvEntryMaybe, KvKey } from "../../state/mod.ts";
import { TimerInputError } from "./errors.ts";

/** Where every timer store keeps its entries in the shared state (the project's namespace). */
export const TIMER_PREFIX = ["_rohas", "timers"] as const;

/** An index entry younger than this is kept even when it has no record yet (its schedule runs). */
export const STALE_INDEX_MS = 30_000;

/** A timer as stored under `["id", <id>]`. */
export interface TimerRecord {
  /** When it is due, in milliseconds since the epoch. */
  dueAt: number;
  /** Which schedule wrote it (a new one on each schedule), matched against the index. */
  token: string;
  /** What the timer carries (JSON). */
  value: unknown;
  /** A label for {@linkcode TimerStore.list}, or null. */
  group: string | null;
  /** How many times it was claimed. */
  attempt: number;
  /** The claim in force: the instance firing it and the end of its lease, or null. */
  claim: { by: string; until: number } | null;
}

/** A timer as {@linkcode TimerStore.list} and the due loop give it. */
export interface Timer {
  /** Its id, unique in its store. */
  id: string;
  /** When it is due, in milliseconds since the epoch. */
  dueAt: number;
  /** What it carries. */
  value: unknown;
  /** Its label, or null. */
  group: string | null;
  /** How many times it was claimed (1 on the first firing). */
  attempt: number;
  /** `waiting` for its time, or `firing` (claimed by an instance whose lease runs). */
  state: "waiting" | "firing";
}

/** Options of {@linkcode TimerStore.schedule}. */
export interface ScheduleOptions {
  /** Replace a timer with the same id (waiting or firing). Default false: keep it, return false. */
  replace?: boolean;
  /** A label to list by. */
  group?: string;
}

/** Options of {@linkcode openTimerStore}. */
export interface TimerStoreOptions {
  /** The store's name: stores with different names never see each other's timers. */
  name: string;
  /** This instance's id, written into the claims it wins. */
  instanceId: string;
  /** Milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
}

/** A durable timer store; {@linkcode openTimerStore} makes one. */
export interface TimerStore {
  /** The store's name. */
  readonly name: string;
  /** This instance's id. */
  readonly instanceId: string;
  /** The clock. */
  readonly now: () => number;
  /** The shared state it lives in. */
  readonly kv: Kv;
  /**
   * Schedules a timer.
   *
   * @returns true when scheduled; false when a timer with this id exists and `replace` is not set
   * @throws {TimerInputError} on an empty id or a due time that is not a finite number
   * @throws {KvInputError} on a value `state.kv` cannot hold (not JSON, too large)
   */
  schedule(id: string, dueAt: number, value: unknown, options?: ScheduleOptions): Promise<boolean>;
  /** Cancels a waiting timer: true when removed, false when absent or firing. */
  cancel(id: string): Promise<boolean>;
  /** One timer, or null. */
  get(id: string): Promise<Timer | null>;
  /** The timers of the store (of one group), soonest first. */
  list(options?: { group?: string }): Promise<Timer[]>;
  /** Called by {@linkcode TimerStore.schedule} with each due time it writes (the due loop listens). */
  onScheduled(listener: (dueAt: number) => void): () => void;
}

/**
 * Opens a timer store over the shared state. Start its due loop with `startDueLoop` (`mod.ts`).
 *
 * @param kv the project's shared state
 * @param options the store's name, this instance's id, a clock
 * @returns the store
 * @example
 * ```ts
 * import { createMemoryKvBackend, kvOver } from "../../state/mod.ts";
 * import { openTimerStore } from "./timer_store.ts";
 * const kv = kvOver(createMemoryKvBackend());
 * const timers = openTimerStore(kv, { name: "reminders", instanceId: "a" });
 * await timers.schedule("invoice-42", Date.now() + 60_000, { invoice: 42 }, { group: "billing" });
 * if ((await timers.list({ group: "billing" })).length !== 1) throw new Error("Example failed");
 * await timers.cancel("invoice-42");
 * await kv.close();
 * ```
 */
export function openTimerStore(kv: Kv, options: TimerStoreOptions): TimerStore {
  checkText(options.name, "store name");
  const listeners = new Set<(dueAt: number) => void>();
  const now = options.now ?? Date.now;
  const keys = timerKeys(options.name);
  return {
    name: options.name,
    instanceId: options.instanceId,
    now,
    kv,
    async schedule(id, dueAt, value, scheduleOptions = {}) {
      checkTimer(id, dueAt, scheduleOptions.group);
      const written = await writeTimer(kv, keys, { id, dueAt, value, now }, scheduleOptions);
      if (written) { for (const listener of listeners) listener(dueAt); }
      return written;
    },
    cancel: (id) => cancelTimer(kv, keys, id, now),
    async get(id) {
      checkText(id, "timer id");
      const entry = await kv.get<TimerRecord>(keys.record(id));
      return entry.value === null ? null : timerOf(id, entry.value, now());
    },
    list: (listOptions = {}) => listTimers(kv, keys, listOptions.group, now()),
    onScheduled(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/**
 * Whether the store commits several keys at once (memory, denokv, postgres): then a schedule, a
 * claim's end and a release are one commit each. NATS commits one key at a time (so does a store
 * of unknown type, to be safe), and the index is kept by the ordering described above.
 */
export function multiKeyAtomics(kv: Kv): boolean {
  return kv.type === "memory" || kv.type === "denokv" || kv.type === "postgres";
}

/** The keys of one store. */
export interface TimerKeys {
  /** The prefix of the due index. */
  readonly due: KvKey;
  /** The prefix of the records. */
  readonly records: KvKey;
  /** A timer's record. */
  record(id: string): KvKey;
  /** A timer's index entry. */
  index(dueAt: number, id: string): KvKey;
}

/** The keys of the store named `name`. */
export function timerKeys(name: string): TimerKeys {
  const due = [...TIMER_PREFIX, name, "due"];
  const records = [...TIMER_PREFIX, name, "id"];
  return {
    due,
    records,
    record: (id) => [...records, id],
    index: (dueAt, id) => [...due, dueAt, id],
  };
}

/** What an index entry holds. */
export interface IndexValue {
  /** The token of the schedule that wrote it. */
  token: string;
  /** When it was written, in milliseconds since the epoch. */
  at: number;
}

/** The timer a record describes, as seen at `now`. */
export function timerOf(id: string, record: TimerRecord, now: number): Timer {
  const firing = record.claim !== null && record.claim.until > now;
  return {
    id,
    dueAt: record.dueAt,
    value: record.value,
    group: record.group,
    attempt: record.attempt,
    state: firing ? "firing" : "waiting",
  };
}

/**
 * Removes an index entry if it still holds `token` (another schedule may have rewritten the key).
 */
export async function removeIndex(kv: Kv, key: KvKey, token: string): Promise<void> {
  const entry = await kv.get<IndexValue>(key);
  if (entry.value === null || entry.value.token !== token) return;
  await kv.atomic().check(entry).delete(key).commit();
}

interface NewTimer {
  id: string;
  dueAt: number;
  value: unknown;
  now: () => number;
}

async function writeTimer(
  kv: Kv,
  keys: TimerKeys,
  timer: NewTimer,
  options: ScheduleOptions,
): Promise<boolean> {
  const recordKey = keys.record(timer.id);
  for (;;) {
    const current = await kv.get<TimerRecord>(recordKey);
    if (current.value !== null && !options.replace) return false;
    const record: TimerRecord = {
      dueAt: timer.dueAt,
      token: crypto.randomUUID(),
      value: timer.value,
      group: options.group ?? null,
      attempt: 0,
      claim: null,
    };
    const index = keys.index(timer.dueAt, timer.id);
    const indexValue: IndexValue = { token: record.token, at: timer.now() };
    if (multiKeyAtomics(kv)) {
      // Index and record in one commit (the old index too): nothing is ever left stale.
      const op = kv.atomic().check(current).set(index, indexValue).set(recordKey, record);
      if (current.value !== null && current.value.dueAt !== timer.dueAt) {
        op.delete(keys.index(current.value.dueAt, timer.id));
      }
      if ((await op.commit()).ok) return true;
      continue;
    }
    await kv.set(index, indexValue);
    const result = await commitRecord(kv, current, record, index);
    if (!result.ok) {
      await removeIndex(kv, index, record.token);
      continue;
    }
    if (current.value !== null) await dropIndexOf(kv, keys, timer.id, current.value);
    return true;
  }
}

/** Commits a new record over `current`; on a value the store refuses, removes the index first. */
async function commitRecord(
  kv: Kv,
  current: KvEntryMaybe<TimerRecord>,
  record: TimerRecord,
  index: KvKey,
): Promise<KvCommitResult> {
  try {
    return await kv.atomic().check(current).set(current.key, record).commit();
  } catch (error) {
    await removeIndex(kv, index, record.token);
    throw error;
  }
}

async function cancelTimer(kv: Kv, keys: TimerKeys, id: string, now: () => number) {
  checkText(id, "timer id");
  for (;;) {
    const current = await kv.get<TimerRecord>(keys.record(id));
    if (current.value === null) return false;
    if (timerOf(id, current.value, now()).state === "firing") return false;
    const result = await kv.atomic().check(current).delete(current.key).commit();
    if (!result.ok) continue;
    await dropIndexOf(kv, keys, id, current.value);
    return true;
  }
}

function dropIndexOf(kv: Kv, keys: TimerKeys, id: string, record: TimerRecord): Promise<void> {
  return removeIndex(kv, keys.index(record.dueAt, id), record.token);
}

async function listTimers(kv: Kv, keys: TimerKeys, group: string | undefined, now: number) {
  const timers: Timer[] = [];
  for await (const entry of kv.list<TimerRecord>({ prefix: keys.records })) {
    if (group !== undefined && entry.value.group !== group) continue;
    timers.push(timerOf(idOf(entry, keys.records.length), entry.value, now));
  }
  return timers.sort((a, b) => a.dueAt - b.dueAt || (a.id < b.id ? -1 : 1));
}

function idOf(entry: KvEntry<unknown> | KvEntryMaybe<unknown>, at: number): string {
  return String(entry.key[at]);
}

function checkTimer(id: string, dueAt: number, group: string | undefined): void {
  checkText(id, "timer id");
  if (typeof dueAt !== "number" || !Number.isFinite(dueAt)) {
    throw new TimerInputError(
      `Invalid due time ${String(dueAt)} of timer "${id}": expected milliseconds since the epoch`,
    );
  }
  if (group !== undefined) checkText(group, "timer group");
}

function checkText(text: string, what: string): void {
  if (typeof text !== "string" || text === "") {
    throw new TimerInputError(
      `Invalid ${what} ${JSON.stringify(text)}: expected a non-empty string`,
    );
  }
}
