/**
 * The rig of the flow conformance cases (engine/flow_conformance.ts): one engine over a real
 * adapter with one handler under the schema's controls, what it recorded of each call, and the
 * deadlines the cases await with.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Adapter, DeadLetter, DeliveryHandler } from "../adapters/mod.ts";
import { EventBus } from "./events/mod.ts";
import { createInProcessRuntime } from "./runtime/mod.ts";
import { type AppModel, singleHandlerModel, type SubscriptionControls } from "./app_model.ts";
import type { EngineParts } from "./parts.ts";
import { DeliveryCounter, subscribeEvents } from "./event_wiring.ts";
import { parseConfig } from "../project/mod.ts";
import { createTelemetry, type Telemetry } from "../telemetry/mod.ts";
import { DelayedEvents } from "./delayed/mod.ts";
import { createMemoryKvBackend, kvOver } from "../state/mod.ts";

import type { FlowConformanceOptions } from "./flow_conformance.ts";

/** What a handler call received. */
export interface Call {
  at: number;
  events: { id: string; attempt: number; payload: { n: number; k?: string } }[];
}

/** Allowed past a batch's time besides the event loop's measured lag, in milliseconds. */
export const BATCH_NOISE_MS = 150;

/** Allowed past a delayed event's time besides the event loop's measured lag, in milliseconds. */
export const DELAY_NOISE_MS = 250;

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One engine over the adapter, with handler `work` of event `Job_<random>` under `controls`. */
export class FlowRig {
  readonly topic = `Flow_${crypto.randomUUID().slice(0, 8)}`;
  /** The handler's consumer group. */
  readonly group = groupOf(this.topic);
  readonly counter = new DeliveryCounter();
  readonly #arrivals = new Map<string, number>();
  readonly #published: string[] = [];
  readonly #timeoutMs: number;
  /** The adapter hands a topic's events over in publish order (`guarantees.orderedPerTopic`). */
  ordered = true;
  readonly #lag = new LagProbe();
  /** Delayed events in a store of this process (the adapter carries them once due). */
  readonly delayed: DelayedEvents;
  readonly #kv = kvOver(createMemoryKvBackend());
  #bus!: EventBus;
  #parts!: EngineParts;
  #telemetry!: Telemetry;
  #closers: (() => Promise<void>)[] = [];

  private constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
    this.delayed = new DelayedEvents({
      kv: this.#kv,
      instanceId: "flow",
      publish: (topic, payload, o) => {
        this.counter.expect(1);
        return this.#bus.publish(topic, payload, o);
      },
      telemetry: { metric: () => {}, log: () => {} },
      maxAttempts: 3,
      retryMs: 100,
      deadLetter: (envelope, group, error) => this.#bus.deadLetter(envelope, group, error),
    });
  }

  static async open(
    options: FlowConformanceOptions,
    controls: SubscriptionControls,
    onCall: (call: Call) => void,
  ): Promise<FlowRig> {
    const rig = new FlowRig(options.timeoutMs ?? 30_000);
    rig.#closers.push(() => Promise.resolve(rig.#lag.stop()));
    await rig.#start(await options.create(), controls, onCall);
    return rig;
  }

  async #start(
    inner: Adapter,
    controls: SubscriptionControls,
    onCall: (call: Call) => void,
  ): Promise<void> {
    this.ordered = inner.guarantees.orderedPerTopic;
    this.#bus = new EventBus(this.#recording(inner), {
      retry: { maxAttempts: 3, backoffMs: 50, maxBackoffMs: 100 },
    });
    await this.#bus.start();
    this.#closers.push(() => this.#bus.close());
    this.#telemetry = await createTelemetry(
      parseConfig('[telemetry]\ntype = "memory"\n', { file: "rohas.toml" }).telemetry,
      { root: "/rohas-flow", otel: false },
    );
    this.#closers.push(() => this.#telemetry.close());
    const work = (events: Call["events"]) => {
      onCall({ at: performance.now(), events: Array.isArray(events) ? events : [events] });
    };
    this.#parts = parts(this.#bus, this.#telemetry, work);
    this.#closers.push(() => this.#parts.runtime.close());
    this.#closers.push(() => this.#kv.close());
    this.delayed.start();
    this.#closers.push(() => this.delayed.stop());
    const subs = await subscribeEvents(model(this.topic, controls), this.#parts, this.#bus, {
      counter: this.counter,
      maxAttempts: 3,
      sharedState: this.#kv,
      delayed: this.delayed,
    });
    this.#closers.push(async () => {
      for (const sub of subs) await sub.close();
    });
  }

  /** The adapter, with the time each delivery reached the engine recorded per id and attempt. */
  #recording(inner: Adapter): Adapter {
    const arrivals = this.#arrivals;
    const subscribe: Adapter["subscribe"] = (topic, group, handler, options) => {
      const timed: DeliveryHandler = (delivery) => {
        const { id, metadata } = delivery.envelope;
        arrivals.set(`${id}:${metadata.attempt}`, performance.now());
        return handler(delivery);
      };
      return inner.subscribe(topic, group, timed, options);
    };
    return Object.assign(Object.create(inner) as Adapter, {
      subscribe,
      start: () => inner.start(),
      publish: (e: Parameters<Adapter["publish"]>[0]) => inner.publish(e),
      close: () => inner.close(),
      listDeadLetters: (topic?: string) => inner.listDeadLetters(topic),
      replayDeadLetters: (topic: string) => inner.replayDeadLetters(topic),
      deadLetter: inner.deadLetter?.bind(inner),
    });
  }

  /** Publishes `count` events `{ n }` at once and expects each to be handled. */
  async publish(count: number): Promise<void> {
    this.counter.expect(count);
    const sent = await Promise.all(
      Array.from(
        { length: count },
        (_, n) => this.#bus.publish(this.topic, { n }, { parentId: null, source: "workbench" }),
      ),
    );
    this.#published.push(...sent.map((e) => e.id));
  }

  /**
   * Publishes one event and expects it to be handled (stored, for a debounced handler).
   *
   * @returns its envelope's id
   */
  async publishOne(payload: { n: number; k?: string }): Promise<string> {
    this.counter.expect(1);
    const sent = await this.#bus.publish(this.topic, payload, {
      parentId: null,
      source: "workbench",
    });
    this.#published.push(sent.id);
    return sent.id;
  }

  /** Resolves once no debounce timer waits or fires any more. */
  async timersDone(): Promise<void> {
    const end = performance.now() + this.#timeoutMs;
    const prefix = ["_rohas", "timers"];
    for (;;) {
      let left = 0;
      for await (const _ of this.#kv.list({ prefix })) left++;
      if (left === 0) return;
      if (performance.now() > end) throw new Error(`Timed out waiting for ${left} timer entries`);
      await pause(20);
    }
  }

  /** Resolves once every published event was handled for good. */
  settled(): Promise<void> {
    return deadline(this.counter.idle(), "every event to be handled", this.#timeoutMs);
  }

  arrivalOf(event: { id: string; attempt: number }): number {
    const at = this.#arrivals.get(`${event.id}:${event.attempt}`);
    assert.ok(at !== undefined, `event ${event.id} attempt ${event.attempt} never arrived`);
    return at;
  }

  /** Every published event handled in exactly one of `calls`. */
  assertEachOnce(calls: Call[], count: number): void {
    const ids = calls.flatMap((c) => c.events.map((e) => e.id));
    assert.equal(ids.length, count, "events handled");
    assert.deepEqual(ids.toSorted(), this.#published.toSorted(), "each published event once");
  }

  /** No event of a call waited longer than the batch's time, plus the scheduling noise: the
   * event loop's worst lag seen during the case (a loaded machine runs timers late). */
  assertWaits(calls: Call[], waitMs: number): void {
    const allowed = waitMs + BATCH_NOISE_MS + this.#lag.worst;
    for (const call of calls) {
      const first = Math.min(...call.events.map((e) => this.arrivalOf(e)));
      const waited = call.at - first;
      assert.ok(
        waited <= allowed,
        `a batch of ${call.events.length} ran ${Math.round(waited)} ms after its first event ` +
          `arrived; its time is ${waitMs} ms (event loop lag up to ${
            Math.round(this.#lag.worst)
          } ms)`,
      );
    }
  }

  /** A delayed run was at most {@linkcode DELAY_NOISE_MS} late, beyond the event loop's lag. */
  assertLate(late: number, what: string): void {
    const allowed = DELAY_NOISE_MS + this.#lag.worst;
    assert.ok(
      late <= allowed,
      `ran ${Math.round(late)} ms after ${what} (event loop lag up to ${
        Math.round(this.#lag.worst)
      } ms)`,
    );
  }

  deadLetters(): Promise<unknown[]> {
    return this.#bus.listDeadLetters(this.topic);
  }

  /** The topic's dead letters once there are `count` (a broker may list one a moment late). */
  async deadLettersEventually(count: number): Promise<DeadLetter[]> {
    const end = performance.now() + this.#timeoutMs;
    for (;;) {
      const letters = await this.#bus.listDeadLetters(this.topic);
      if (letters.length === count) return letters;
      if (performance.now() > end) {
        throw new Error(`Timed out waiting for ${count} dead letters; ${letters.length} listed`);
      }
      await pause(50);
    }
  }

  /** Replays the topic's dead letters; resolves with how many. */
  replay(): Promise<number> {
    return this.#bus.replayDeadLetters(this.topic);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const close of this.#closers.reverse()) await close();
  }
}

/** Measures how late the event loop runs a 20 ms timer, the noise every timer here suffers. */
class LagProbe {
  worst = 0;
  #expected = performance.now() + 20;
  readonly #timer = setInterval(() => {
    const now = performance.now();
    this.worst = Math.max(this.worst, now - this.#expected);
    this.#expected = now + 20;
  }, 20);

  stop(): void {
    clearInterval(this.#timer);
  }
}

function groupOf(topic: string): string {
  return `flow.work.${topic}`;
}

function model(topic: string, controls: SubscriptionControls): AppModel {
  return singleHandlerModel({
    project: "flow",
    root: "/rohas-flow",
    event: topic,
    group: groupOf(topic),
    controls,
  });
}

function parts(
  bus: EventBus,
  telemetry: Telemetry,
  work: (events: never) => void,
): EngineParts {
  return {
    runtime: createInProcessRuntime({
      manifest: {
        root: "file:///rohas-flow/",
        modules: { "src/handlers/events/work.ts": { work } },
      },
    }),
    publisher: { publish: (topic, payload, o) => bus.publish(topic, payload, o) },
    telemetry,
    validators: new Map(),
    config: parseConfig("", { file: "rohas.toml", projectName: "flow" }),
    mode: "dev",
  };
}

export function deadline<T>(promise: Promise<T>, what: string, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
