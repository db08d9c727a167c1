/**
 * An edge's series of publications published in the main process in turn, each accepted before the
 * next (or each part in one write, when the bus writes a series at once), under the timeout of a
 * single publish: the series answers once a publication has waited
 * `timeoutMs` for its adapter, with the ones accepted before it and an {@linkcode EdgeError}, and
 * publishes nothing more (the edge takes a publish that gets no answer at all as a stalled
 * channel). A long series travels in parts ({@linkcode SeriesRun.add}): the main process publishes
 * the first while the edge still encodes the next, instead of decoding the whole series first.
 *
 * One timer watches the whole series, re-armed only when it fires before the running
 * publication's deadline: a timer and a race per publication cost about as much as the publish to
 * the memory adapter itself (bench/events_by_thread.ts). A series travels with the options its
 * publications share once ({@linkcode seriesToWire}).
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

/** Publishes a part of a series at once (one write of the adapter's); see `EventBus.publishSeries`. */
export type PublishPart = (items: readonly SeriesItem[]) => Promise<SeriesOutcome>;

/**
 * One series of an edge, published in the main process as its parts arrive (an edge sends a long
 * series in parts, so the first events are published while it still encodes the rest), each
 * publication accepted before the next. Nothing more is published after a refusal, a publication
 * not accepted within `timeoutMs`, a next part that does not arrive within `timeoutMs`, or a part
 * that abandons the series; {@linkcode SeriesRun.outcome} then says why.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { SeriesRun, seriesToWire } from "./_series.ts";
 * const options = { parentId: null, source: "api:Burst" };
 * const part = (...topics: string[]) => seriesToWire(topics.map((topic) => ({ topic, payload: null, options })));
 * const topics: string[] = [];
 * const run = new SeriesRun((topic) => Promise.resolve(topics.push(topic)), 1000);
 * run.add(part("A", "B"));
 * run.add(part("C"), { last: true });
 * assertEquals([(await run.outcome).accepted.length, topics], [3, ["A", "B", "C"]]);
 * ```
 */
export class SeriesRun {
  readonly #publish: PublishOne;
  readonly #publishPart: PublishPart | undefined;
  readonly #timeoutMs: number;
  /** Parts received and not yet published. */
  readonly #parts: (readonly WireSeriesItem[])[] = [];
  #arrived: PromiseWithResolvers<void> | null = null;
  #last = false;
  #abandoned = false;
  readonly #accepted: [number, number][] = [];
  readonly #late = Promise.withResolvers<SeriesOutcome>();
  #timer: ReturnType<typeof setTimeout>;
  /** What the series waits for: a publication of this topic, or (null) its next part. */
  #topic: string | null = null;
  #started = performance.now();
  #expired = false;
  /**
   * Each accepted publication's `[start, duration]`, and why the next one failed: resolves once the
   * last part is published or the series stopped.
   */
  readonly outcome: Promise<SeriesOutcome>;

  /**
   * Starts waiting for the first part.
   *
   * @param publish publishes one
   * @param timeoutMs how long one publication (a part, with `publishPart`), or the wait for the next
   * part, may take
   * @param publishPart publishes a whole part at once, when the bus writes a series in one go
   */
  constructor(publish: PublishOne, timeoutMs: number, publishPart?: PublishPart) {
    this.#publish = publish;
    this.#publishPart = publishPart;
    this.#timeoutMs = timeoutMs;
    this.#timer = setTimeout(() => this.#check(), timeoutMs);
    this.outcome = Promise.race([this.#inTurn(), this.#late.promise]).finally(() => {
      this.#expired = true;
      clearTimeout(this.#timer);
    });
  }

  /**
   * The next part of the series, in order. Parts after the last, or after the series stopped, are
   * ignored.
   *
   * @param items its publications
   * @param options `last`: no part follows; `abandoned`: the edge gave the rest up (publish no more)
   */
  add(
    items: readonly WireSeriesItem[],
    options: { last?: boolean; abandoned?: boolean } = {},
  ): void {
    // After the last part, or once the series stopped, nothing more is published: kept no longer.
    if (this.#last || this.#expired) return;
    this.#parts.push(items);
    this.#last = options.last === true || options.abandoned === true;
    this.#abandoned = options.abandoned === true;
    this.#arrived?.resolve();
    this.#arrived = null;
  }

  async #inTurn(): Promise<SeriesOutcome> {
    const accepted = this.#accepted;
    // The options of the publication before (see `seriesToWire`).
    let shared: PublishOptions = { parentId: null, source: "" };
    for (let part = this.#parts.shift(); !this.#expired; part = this.#parts.shift()) {
      if (part === undefined) {
        if (this.#abandoned) return { accepted, error: new EdgeError(ABANDONED) };
        if (this.#last) return { accepted };
        await this.#nextPart();
        continue;
      }
      if (this.#publishPart !== undefined) {
        const outcome = await this.#atOnce(this.#publishPart, part, shared);
        shared = outcome.shared;
        accepted.push(...outcome.accepted);
        if (outcome.error !== undefined) return { accepted, error: outcome.error };
        continue;
      }
      // One clock read per publication: one's end is the next one's start.
      let started = performance.now();
      for (const item of part) {
        if (this.#expired) break;
        shared = item.options ?? shared;
        const options = optionsOf(item, shared);
        const at = Date.now();
        this.#topic = item.topic;
        this.#started = started;
        try {
          await this.#publish(item.topic, item.payload, options);
        } catch (error) {
          return { accepted, error };
        }
        const ended = performance.now();
        accepted.push([at, ended - started]);
        started = ended;
      }
    }
    return { accepted };
  }

  /** A part published in one call, under the timeout of one publication. */
  async #atOnce(
    publishPart: PublishPart,
    part: readonly WireSeriesItem[],
    before: PublishOptions,
  ): Promise<SeriesOutcome & { shared: PublishOptions }> {
    let shared = before;
    const items = part.map((item): SeriesItem => {
      shared = item.options ?? shared;
      return { topic: item.topic, payload: item.payload, options: optionsOf(item, shared) };
    });
    this.#topic = part[0]?.topic ?? null;
    this.#started = performance.now();
    try {
      return { ...await publishPart(items), shared };
    } catch (error) {
      return { accepted: [], error, shared };
    }
  }

  #nextPart(): Promise<void> {
    this.#topic = null;
    this.#started = performance.now();
    this.#arrived = Promise.withResolvers<void>();
    return this.#arrived.promise;
  }

  /** The one timer of a series: expires when what it waits for passed its deadline. */
  #check(): void {
    const left = this.#started + this.#timeoutMs - performance.now();
    if (left > 0) {
      this.#timer = setTimeout(() => this.#check(), left);
      return;
    }
    this.#expired = true;
    const ms = this.#timeoutMs;
    const reason = this.#topic === null
      ? `Cannot publish the rest of a series of events: its next part did not arrive within ${ms} ms`
      : `Cannot publish "${this.#topic}": not accepted within ${ms} ms`;
    this.#late.resolve({ accepted: [...this.#accepted], error: new EdgeError(reason) });
  }
}

const ABANDONED = "Cannot publish the rest of a series of events: the edge abandoned it";

/**
 * A publication's options as it travelled: its own, or those of the one before it (`shared`) with
 * its own idempotency key (see {@linkcode seriesToWire}).
 */
function optionsOf(item: WireSeriesItem, shared: PublishOptions): PublishOptions {
  if (item.options !== undefined) return item.options;
  return item.key === undefined ? withoutKey(shared) : withKey(shared, item.key);
}

/**
 * `options` with another idempotency key, built field by field (a spread costs about as much as the
 * rest of a publication's bookkeeping here). {@linkcode sameBesidesKey} says which fields there are.
 */
function withKey(options: PublishOptions, key: string): PublishOptions {
  const keyed: PublishOptions = {
    parentId: options.parentId,
    source: options.source,
    idempotencyKey: key,
  };
  if (options.traceparent !== undefined) keyed.traceparent = options.traceparent;
  return keyed;
}

function withoutKey(options: PublishOptions): PublishOptions {
  if (options.idempotencyKey === undefined) return options;
  const { idempotencyKey: _, ...rest } = options;
  return rest;
}

/**
 * A series as an edge sends it: each publication's options only where they differ from the one
 * before it other than by the idempotency key (see {@linkcode WireSeriesItem}).
 *
 * @param items the series
 * @returns its wire form; {@linkcode SeriesRun} publishes it
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { seriesToWire } from "./_series.ts";
 * const options = (i: number) => ({ parentId: "t-1", source: "api:Burst", idempotencyKey: `t-1:${i}` });
 * const items = [0, 1].map((i) => ({ topic: "Ping", payload: { i }, options: options(i) }));
 * const wire = seriesToWire(items);
 * assertEquals(wire[1], { topic: "Ping", payload: { i: 1 }, key: "t-1:1" });
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
