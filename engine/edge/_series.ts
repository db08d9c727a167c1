/**
 * An edge's series of publications published in the main process in turn, each accepted before the
 * next, under the timeout of a single publish: the series answers once a publication has waited
 * `timeoutMs` for its adapter, with the ones accepted before it and an {@linkcode EdgeError}, and
 * publishes nothing more (the edge takes a publish that gets no answer at all as a stalled
 * channel).
 *
 * One timer watches the whole series, re-armed only when it fires before the running
 * publication's deadline: a timer and a race per publication cost about as much as the publish to
 * the memory adapter itself (bench/events_by_thread.ts). A series travels with the options its
 * publications share once ({@linkcode seriesToWire}, {@linkcode seriesFromWire}).
 *
 * @module
 */

import type { PublishOptions, SeriesItem, SeriesOutcome } from "../parts.ts";
import { EdgeError } from "./errors.ts";
import type { WireSeriesItem } from "./protocol.ts";

/** Publishes one event; resolves once the adapter accepted it. */
export type PublishOne = (
  topic: string,
  payload: unknown,
  options: PublishOptions,
) => Promise<unknown>;

/**
 * Publishes `items` in turn, stopping at the first refusal or at the first that is not accepted
 * within `timeoutMs`.
 *
 * @param publish publishes one
 * @param items the series, in order
 * @param timeoutMs how long one publication may wait
 * @returns each accepted publication's `[start, duration]`, and why the next one failed
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { publishSeriesWithin } from "./_series.ts";
 * const options = { parentId: null, source: "api:Burst" };
 * const items = ["A", "B"].map((topic) => ({ topic, payload: null, options }));
 * const outcome = await publishSeriesWithin(() => Promise.resolve(), items, 1000);
 * assertEquals([outcome.accepted.length, outcome.error], [2, undefined]);
 * ```
 */
export async function publishSeriesWithin(
  publish: PublishOne,
  items: readonly SeriesItem[],
  timeoutMs: number,
): Promise<SeriesOutcome> {
  const watch = new SeriesWatch(timeoutMs);
  try {
    return await Promise.race([inTurn(publish, items, watch), watch.late]);
  } finally {
    watch.stop();
  }
}

async function inTurn(
  publish: PublishOne,
  items: readonly SeriesItem[],
  watch: SeriesWatch,
): Promise<SeriesOutcome> {
  const accepted = watch.accepted;
  for (const item of items) {
    if (watch.expired) break;
    const at = Date.now();
    const started = watch.begin(item.topic);
    try {
      await publish(item.topic, item.payload, item.options);
    } catch (error) {
      return { accepted, error };
    }
    accepted.push([at, performance.now() - started]);
  }
  return { accepted };
}

/** The one timer of a series: expires when the running publication passed its deadline. */
class SeriesWatch {
  readonly accepted: [number, number][] = [];
  readonly #late = Promise.withResolvers<SeriesOutcome>();
  readonly #timeoutMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #topic = "";
  #started = 0;
  expired = false;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
    this.#timer = setTimeout(() => this.#check(), timeoutMs);
  }

  /** Resolves with the outcome so far once a publication waited too long. */
  get late(): Promise<SeriesOutcome> {
    return this.#late.promise;
  }

  /** A publication starts; returns its `performance.now()` start. */
  begin(topic: string): number {
    this.#topic = topic;
    return this.#started = performance.now();
  }

  stop(): void {
    clearTimeout(this.#timer);
  }

  #check(): void {
    const left = this.#started + this.#timeoutMs - performance.now();
    if (left > 0) {
      this.#timer = setTimeout(() => this.#check(), left);
      return;
    }
    this.expired = true;
    const reason = `Cannot publish "${this.#topic}": not accepted within ${this.#timeoutMs} ms`;
    this.#late.resolve({ accepted: [...this.accepted], error: new EdgeError(reason) });
  }
}

/**
 * A series as an edge sends it: each publication's options only where they differ from the one
 * before it other than by the idempotency key (see {@linkcode WireSeriesItem}).
 *
 * @param items the series
 * @returns its wire form; {@linkcode seriesFromWire} gives the series back
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { seriesFromWire, seriesToWire } from "./_series.ts";
 * const options = (i: number) => ({ parentId: "t-1", source: "api:Burst", idempotencyKey: `t-1:${i}` });
 * const items = [0, 1].map((i) => ({ topic: "Ping", payload: { i }, options: options(i) }));
 * const wire = seriesToWire(items);
 * assertEquals([wire[1], seriesFromWire(wire)], [{ topic: "Ping", payload: { i: 1 }, key: "t-1:1" }, items]);
 * ```
 */
export function seriesToWire(items: readonly SeriesItem[]): WireSeriesItem[] {
  let previous: PublishOptions | undefined;
  return items.map((item) => {
    const options = item.options;
    if (previous === undefined || !sameBesidesKey(previous, options)) {
      previous = options;
      return { topic: item.topic, payload: item.payload, options };
    }
    const key = options.idempotencyKey;
    return key === undefined
      ? { topic: item.topic, payload: item.payload }
      : { topic: item.topic, payload: item.payload, key };
  });
}

/**
 * The series an edge sent (see {@linkcode seriesToWire}).
 *
 * @param wire the series as it travelled
 * @returns each publication with its options
 */
export function seriesFromWire(wire: readonly WireSeriesItem[]): SeriesItem[] {
  let shared: PublishOptions = { parentId: null, source: "" };
  return wire.map((item) => {
    if (item.options !== undefined) {
      const { idempotencyKey: _, ...rest } = item.options;
      shared = rest;
      return { topic: item.topic, payload: item.payload, options: item.options };
    }
    const options = item.key === undefined ? shared : { ...shared, idempotencyKey: item.key };
    return { topic: item.topic, payload: item.payload, options };
  });
}

/** Whether two publications' options differ at most by their idempotency key. */
function sameBesidesKey(a: PublishOptions, b: PublishOptions): boolean {
  return a.parentId === b.parentId && a.source === b.source && a.traceparent === b.traceparent &&
    a.timing === undefined && b.timing === undefined;
}

/**
 * Every option, and whether {@linkcode sameBesidesKey} compares it: an option added to
 * `PublishOptions` fails the type check here until it is compared there.
 */
const _COMPARED: Readonly<Record<keyof PublishOptions, true>> = {
  parentId: true,
  source: true,
  traceparent: true,
  timing: true,
  idempotencyKey: true,
};
