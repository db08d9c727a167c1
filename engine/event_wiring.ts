/**
 * Event wiring: one bus subscription per event handler (its own consumer group, so one handler's
 * failure never re-runs another), the handler called with `{payload, timestamp, id, attempt}`; a
 * failure is thrown back to the bus, which retries or dead-letters. After every handler of an event
 * succeeded for one occurrence, the event's own `triggers:` forward the same payload once.
 *
 * @module
 */

import type { EventEnvelope } from "../adapters/adapter.ts";
import type { AppModel, EventSpec, SubscriptionSpec } from "./app_model.ts";
import type { EngineParts, PublishOptions } from "./parts.ts";
import { addTriggersStep, invokeHandler } from "./_invoke.ts";
import { publishAll, publishTriggers } from "./triggers.ts";
import { HandlerFailure } from "./errors.ts";

/** A closable subscription. */
export interface Closable {
  close(): Promise<void>;
}

/** What the engine needs of the event bus to subscribe (engine/events `EventBus` satisfies it). */
export interface EventSubscriber {
  subscribe(
    topic: string,
    group: string,
    handler: (envelope: EventEnvelope) => Promise<void>,
  ): Promise<Closable>;
  publish(topic: string, payload: unknown, options: PublishOptions): Promise<unknown>;
}

const MAX_PENDING_FORWARDS = 10_000;

/**
 * Counts deliveries still to be handled for good (success, dead letter), so a one-shot run
 * (`rohas cron run`) can wait until everything it caused was handled.
 */
export class DeliveryCounter {
  #pending = 0;
  #settled = 0;
  #waiters: (() => void)[] = [];

  /** Deliveries handled for good so far. */
  get settled(): number {
    return this.#settled;
  }

  /** Expects `n` more final deliveries. */
  expect(n: number): void {
    this.#pending += n;
  }

  /** One delivery was handled for good. */
  settle(n = 1): void {
    this.#settled += n;
    this.#pending = Math.max(0, this.#pending - n);
    if (this.#pending === 0) { for (const w of this.#waiters.splice(0)) w(); }
  }

  /** Resolves when nothing is pending. */
  idle(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}

/** Options of {@linkcode subscribeEvents}. */
export interface SubscribeEventsOptions {
  counter?: DeliveryCounter;
  /** Shared across reloads. Default: a new tracker. */
  tracker?: ForwardTracker;
  /** `[adapter] max_attempts`, to know when a failure is final. Default 5. */
  maxAttempts?: number;
}

/** How many deliveries one publish to a topic makes: one per handler group (or the forwarder).
 *
 * @param model the application model
 * @param topic the event name
 * @returns the number of consumer groups
 */
export function groupsOf(model: AppModel, topic: string): number {
  const spec = model.events.find((e) => e.event === topic);
  if (!spec) return 0;
  if (spec.subscriptions.length > 0) return spec.subscriptions.length;
  return spec.triggers.length > 0 ? 1 : 0;
}

/**
 * Tracks which handlers of an event finished each occurrence, to forward its triggers once. One
 * tracker outlives schema reloads, so an occurrence handled across a swap still forwards.
 */
export class ForwardTracker {
  #done = new Map<string, Set<string>>();

  /** Marks a group done; returns true when every group of the occurrence is done.
   *
   * @param envelopeId the occurrence
   * @param group the consumer group that finished
   * @param total how many groups the event has
   * @returns whether every group is done
   */
  complete(envelopeId: string, group: string, total: number): boolean {
    let groups = this.#done.get(envelopeId);
    if (!groups) {
      if (this.#done.size >= MAX_PENDING_FORWARDS) {
        this.#done.delete(this.#done.keys().next().value!);
      }
      this.#done.set(envelopeId, groups = new Set());
    }
    groups.add(group);
    return groups.size >= total;
  }

  /** Drops an occurrence once its triggers were forwarded.
   *
   * @param envelopeId the occurrence
   */
  forget(envelopeId: string): void {
    this.#done.delete(envelopeId);
  }
}

/** Subscribes every event handler of the model to the bus.
 *
 * @param model the application model
 * @param parts the engine parts
 * @param bus the event bus
 * @returns the subscriptions, to close on shutdown or reload
 */
export async function subscribeEvents(
  model: AppModel,
  parts: EngineParts,
  bus: EventSubscriber,
  options: SubscribeEventsOptions = {},
): Promise<Closable[]> {
  const tracker = options.tracker ?? new ForwardTracker();
  const counted = countedDelivery(options);
  const subs: Closable[] = [];
  for (const spec of model.events) {
    for (const sub of spec.subscriptions) {
      subs.push(
        await bus.subscribe(
          spec.event,
          sub.group,
          (envelope) => counted(envelope, () => deliver(parts, { spec, sub, envelope, tracker })),
        ),
      );
    }
    if (spec.subscriptions.length === 0 && spec.triggers.length > 0) {
      subs.push(
        await bus.subscribe(
          spec.event,
          `${model.project}.${spec.event}.forward`,
          (e) => counted(e, () => forward(parts, spec, e, null)),
        ),
      );
    }
  }
  return subs;
}

function countedDelivery(options: SubscribeEventsOptions) {
  const counter = options.counter;
  const max = options.maxAttempts ?? 5;
  return async (envelope: EventEnvelope, run: () => Promise<void>): Promise<void> => {
    try {
      await run();
      counter?.settle();
    } catch (error) {
      const final = (error as Error).name === "NonRetriableError" ||
        envelope.metadata.attempt >= max;
      if (final) counter?.settle();
      throw error;
    }
  };
}

interface DeliveryContext {
  spec: EventSpec;
  sub: SubscriptionSpec;
  envelope: EventEnvelope;
  tracker: ForwardTracker;
}

async function deliver(parts: EngineParts, ctx: DeliveryContext): Promise<void> {
  const { spec, sub, envelope } = ctx;
  const trace = parts.telemetry.startTrace({
    entryPoint: spec.event,
    entryType: "event",
    ...(envelope.metadata.parent_id ? { parentId: envelope.metadata.parent_id } : {}),
    metadata: {
      event: spec.event,
      handler: sub.handler.name,
      attempt: String(envelope.metadata.attempt),
    },
  });
  const result = await invokeHandler(parts, {
    handler: sub.handler,
    input: {
      kind: "event",
      event: {
        payload: envelope.payload,
        timestamp: envelope.timestamp,
        id: envelope.id,
        attempt: envelope.metadata.attempt,
      },
    },
    trace,
  });
  if (!result.ok) {
    trace.end("failed", result.error.message);
    throw new HandlerFailure(result.error.name, result.error.message);
  }
  try {
    const published = await publishTriggers(parts.publisher, {
      effects: result.effects,
      output: null,
      schemaTriggers: [],
    }, {
      source: `event:${spec.event}`,
      traceId: trace.id,
      keyPrefix: `${envelope.id}:${sub.group}`,
    });
    addTriggersStep(trace, `${spec.event} triggers`, published);
    if (ctx.tracker.complete(envelope.id, sub.group, spec.subscriptions.length)) {
      await forward(parts, spec, envelope, trace.id);
      ctx.tracker.forget(envelope.id);
    }
  } catch (error) {
    trace.end("failed", String(error));
    throw error;
  }
  trace.end("success");
}

async function forward(
  parts: EngineParts,
  spec: EventSpec,
  envelope: EventEnvelope,
  traceId: string | null,
): Promise<void> {
  if (spec.triggers.length === 0) return;
  await publishAll(
    parts.publisher,
    spec.triggers.map((event) => ({ event, payload: envelope.payload })),
    {
      source: `event:${spec.event}`,
      traceId: traceId ?? envelope.metadata.trace_id,
      keyPrefix: `${envelope.id}:forward`,
    },
  );
}
