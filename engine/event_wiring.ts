/**
 * Event wiring: one bus subscription per event handler (its own consumer group, so one handler's
 * failure never re-runs another), the handler called with `{payload, timestamp, id, attempt}`; a
 * failure is thrown back to the bus, which retries or dead-letters.
 *
 * An event's own `triggers:` (docs/design.md#d6-triggers: "forward the same payload once per
 * occurrence") are forwarded by a consumer group of their own, `<project>.<Event>.__triggers`,
 * independent of the handlers' groups: the broker hands each occurrence to one consumer of that
 * group, so the forward happens once per occurrence however many engine instances share the broker
 * and whichever instance ran each handler. It is at-least-once with its own retries and dead
 * letters; the idempotency keys derive from the occurrence (`<envelope id>:forward:<i>`), so a
 * redelivered occurrence is not published twice where the adapter keeps keys. The choice: a forward
 * does not wait for the event's handlers (waiting would need state shared between instances); the
 * triggered events are caused by the occurrence, not by its handlers' success. An event with
 * triggers and no handler forwards the same way.
 *
 * Traces (docs/design.md#d11-telemetry): a delivery trace uses the envelope's `metadata.trace_id`
 * as its id and `metadata.parent_id` as its parent, so an API -> event -> event chain is one tree.
 * An occurrence reaches several consumer groups; each records its own trace, so only the first
 * group of the event (its first handler, or the forwarder when it has none) takes the id as is, the
 * others take `<trace_id>.<handler>` (`<trace_id>.__triggers` for the forwarder), all under the
 * same parent. A retried delivery records its trace again under the same id (the last attempt
 * wins).
 *
 * @module
 */

import type { EventEnvelope } from "../adapters/mod.ts";
import type { ActiveTrace, StartTraceOptions } from "../telemetry/mod.ts";
import type { AppModel, EventSpec, SubscriptionControls, SubscriptionSpec } from "./app_model.ts";
import type { EngineParts, PublishOptions, SeriesItem, SeriesOutcome } from "./parts.ts";
import { invokeHandler } from "./_invoke.ts";
import { invalidPayloadLog, planTriggers, publishStep } from "./triggers.ts";
import { type BusSubscribeOptions, InvalidEventPayloadError } from "./events/mod.ts";
import { HandlerFailure } from "./errors.ts";
import { type DelayedEvents, holdFor } from "./delayed/mod.ts";
import { KEYED_PARALLELISM, type Limiter, limitersOf } from "./limits/mod.ts";
import { Batcher } from "./_batcher.ts";
import { batchObserver } from "./_flow_metrics.ts";
import { DebounceHub } from "./_debounce_hub.ts";
import { givenUpLog } from "./_held_failure.ts";
import { createMemoryKvBackend, type Kv, kvOver } from "../state/mod.ts";
import type { EventInput } from "./runtime/contract.ts";

/** A closable subscription. */
export interface Closable {
  /** Stops the subscription. */
  close(): Promise<void>;
}

/** What the engine needs of the event bus to subscribe (engine/events `EventBus` satisfies it). */
export interface EventSubscriber {
  /** Subscribes a consumer group to a topic; the handler's rejection asks for a retry. */
  subscribe(
    topic: string,
    group: string,
    handler: (envelope: EventEnvelope) => Promise<void>,
    options?: BusSubscribeOptions,
  ): Promise<Closable>;
  /** Publishes an event; resolves once the adapter accepted it. */
  publish(topic: string, payload: unknown, options: PublishOptions): Promise<unknown>;
  /** Publishes several in order in one round trip (see {@linkcode EventPublisher}). Optional. */
  publishSeries?(items: readonly SeriesItem[]): Promise<SeriesOutcome>;
  /** The adapter hands a group's messages out in order at any concurrency (`AdapterGuarantees`). */
  readonly handsOutInOrder?: boolean;
  /**
   * Dead-letters an envelope for a group outside a delivery (a debounced run that failed for good);
   * resolves false when the adapter cannot. Optional: without it such an event is logged as dropped.
   */
  deadLetter?(envelope: EventEnvelope, group: string, error: unknown): Promise<boolean>;
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
  /** Counts deliveries until handled for good, for one-shot runs. Default none. */
  counter?: DeliveryCounter;
  /**
   * Unused: triggers forward through their own consumer group now. Kept so callers that still
   * pass one compile.
   */
  tracker?: ForwardTracker;
  /** `[adapter] max_attempts`, to know when a failure is final. Default 5. */
  maxAttempts?: number;
  /** Holds deliveries to handlers with a `delay` until due. Default none (a `delay` is refused). */
  delayed?: DelayedEvents | undefined;
  /**
   * The state every instance shares (`state.kv`), where `concurrency`, `rate` and `throttle` keep
   * their slots and budgets and `debounce` its bursts and timers. Default: a store of this process
   * only (the controls then hold per instance, and a debounce not across a restart).
   */
  sharedState?: Kv;
}

/** The consumer group that forwards an event's own `triggers:`.
 *
 * @param project the project name
 * @param event the event name
 * @returns `<project>.<event>.__triggers`
 */
export function forwardGroupOf(project: string, event: string): string {
  return `${project}.${event}.__triggers`;
}

/** How many deliveries one publish to a topic makes: one per handler group, plus the forwarder.
 *
 * @param model the application model
 * @param topic the event name
 * @returns the number of consumer groups
 */
export function groupsOf(model: AppModel, topic: string): number {
  const spec = model.events.find((e) => e.event === topic);
  if (!spec) return 0;
  return spec.subscriptions.length + (spec.triggers.length > 0 ? 1 : 0);
}

/**
 * Tracks which handlers of an event finished each occurrence. No longer used by the wiring (it
 * only saw the handlers that ran in its own process, so with several instances a forward could
 * never happen); kept for callers that still create one.
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
  const counted = countedDelivery(parts, options);
  const limiterOf = limitersOf(parts, options.sharedState);
  const hub = debounceHubOf(model, { parts, bus }, options);
  const subs: Closable[] = [];
  for (const spec of model.events) {
    for (const [index, sub] of spec.subscriptions.entries()) {
      const traceSuffix = index === 0 ? "" : `.${sub.handler.name}`;
      const limiter = limiterOf(sub);
      const { delayed, counter } = options;
      const at = { spec, sub, traceSuffix, counted, limiter, hub, delayed, counter };
      subs.push(await subscribeHandler(parts, bus, at));
    }
    if (spec.triggers.length === 0) continue;
    const traceSuffix = spec.subscriptions.length === 0 ? "" : ".__triggers";
    const run = (envelope: EventEnvelope) => forward(parts, { spec, envelope, traceSuffix });
    const group = forwardGroupOf(model.project, spec.event);
    const who = { handler: "__triggers", traceSuffix };
    const handle = (e: EventEnvelope) => counted(e, who, () => run(e));
    subs.push(await bus.subscribe(spec.event, group, handle, countedOptions(options.counter)));
  }
  if (hub === null) return subs;
  hub.start();
  return [...subs, { close: () => hub.stop() }];
}

/**
 * Deliveries an `ordered: false` handler without a `concurrency` limit has in flight at once: enough
 * that the runtime's batching fills each message to its Workers (see
 * `engine/runtime/protocol.ts`, `Outbox`), few enough that a stalled handler holds a bounded number.
 * 128, as many as an ordered handler's sequence (`SEQUENCE_DEPTH`): on the slower of two virtual
 * machines of one kind it measured x1.09-1.17 the events/s of 64 in three paired runs, on the other
 * within the noise (BENCHMARKS.md, "A second virtual machine of this kind").
 */
export const UNORDERED_PARALLELISM = 128;

/**
 * Deliveries taken at once for `ordered: false`: {@linkcode UNORDERED_PARALLELISM}, or none more
 * than the `concurrency` limiter takes when the handler has one (it bounds the runs).
 */
function unorderedParallelism(controls: SubscriptionControls): number {
  if (controls.ordered !== false || controls.concurrency !== undefined) return 1;
  return UNORDERED_PARALLELISM;
}

/**
 * Deliveries an ordered handler has in flight at once where its calls can form a sequence: the
 * Worker runs them one after another in delivery order, and the calls of one turn travel in one
 * message (each still its own delivery, trace, retry and dead letter). 128: the Worker runs a
 * turn's calls back to back, and with a second batch in flight it has calls to run while the engine
 * handles the results of the first (bench/events_by_thread.ts; BENCHMARKS.md "Event calls to a
 * Worker as flat arrays": once the calls crossed flat, 128 measured x1.09-1.11 the events/s of 64,
 * and 256 no better than 128).
 */
export const SEQUENCE_DEPTH = 128;

/** Whether no control stands between a delivery and its run (the only case that pipelines). */
function pipelined(controls: SubscriptionControls, limiter: Limiter | null): boolean {
  return limiter === null && controls.batch === undefined && controls.debounce === undefined &&
    controls.delay_ms === undefined;
}

/**
 * The sequence (the handler's consumer group) of an ordered handler whose deliveries can be
 * pipelined: the adapter hands them out in order and the runtime runs a sequence in order; else
 * undefined (one delivery at a time).
 */
function sequenceOf(
  parts: EngineParts,
  bus: EventSubscriber,
  sub: SubscriptionSpec,
): string | undefined {
  if (sub.controls?.ordered === false || bus.handsOutInOrder !== true) return undefined;
  return parts.runtime.sequences?.(sub.handler) === true ? sub.group : undefined;
}

type Counted = ReturnType<typeof countedDelivery>;

/** The hub of the model's debounced handlers, or null when none is debounced. */
function debounceHubOf(
  model: AppModel,
  { parts, bus }: { parts: EngineParts; bus: EventSubscriber },
  options: SubscribeEventsOptions,
): DebounceHub | null {
  const debounced = model.events.some((e) => e.subscriptions.some((s) => s.controls?.debounce));
  if (!debounced) return null;
  return new DebounceHub(parts, {
    kv: options.sharedState ?? kvOver(createMemoryKvBackend()),
    instanceId: parts.config.server.instance_id || `pid-${Deno.pid}`,
    maxAttempts: options.maxAttempts ?? 5,
    deadLetter: bus.deadLetter?.bind(bus),
  });
}

/** Where one handler is subscribed from. */
interface HandlerSite {
  spec: EventSpec;
  sub: SubscriptionSpec;
  traceSuffix: string;
  counted: Counted;
  limiter: Limiter | null;
  hub: DebounceHub | null;
  delayed: DelayedEvents | undefined;
  counter: DeliveryCounter | undefined;
}

/**
 * Subscribes one handler in its own consumer group, through its flow controls: the limits
 * (`rate`, `throttle`, `concurrency`, engine/limits/) admit each run, a `concurrency` slot held
 * until its run (or its batch's run) settled; `batch` gathers the deliveries and calls the handler
 * with an array; `debounce` hands each delivery to its debouncer, whose runs the limits admit.
 */
async function subscribeHandler(
  parts: EngineParts,
  bus: EventSubscriber,
  at: HandlerSite,
): Promise<Closable> {
  const { spec, sub, traceSuffix, limiter } = at;
  const controls = sub.controls ?? {};
  const limited = (task: (e: EventEnvelope) => Promise<void>) =>
    limiter === null ? task : async (e: EventEnvelope) => {
      await limiter.run({ payload: e.payload, attempt: e.metadata.attempt }, () => task(e));
    };
  const sequence = pipelined(controls, limiter) ? sequenceOf(parts, bus, sub) : undefined;
  const site = deliverySite({ spec, sub, traceSuffix, sequence });
  const single = limited((e) => deliver(parts, site, e));
  const batcher = controls.batch === undefined ? null : new Batcher<EventEnvelope>(
    controls.batch,
    (batch) => deliver(parts, site, batch[0]!, batch),
    batchObserver(parts, sub.handler.name),
  );
  const debouncer = controls.debounce === undefined || at.hub === null
    ? null
    : at.hub.add(controls.debounce, { group: sub.group, handler: sub.handler.name, run: single });
  const run = debouncer !== null
    ? (e: EventEnvelope) => debouncer.add(e)
    : batcher !== null
    ? limited((e) => batcher.add(e))
    : single;
  const who = { handler: sub.handler.name, traceSuffix };
  // A debounced delivery only rewrites its key's burst entry (a check-and-set that keeps the
  // newest event), so several are taken at once: a burst is stored as fast as it arrives.
  const stores = debouncer === null ? 1 : KEYED_PARALLELISM;
  const parallelism = Math.max(
    limiter?.parallelism ?? 1,
    batcher?.parallelism ?? 1,
    stores,
    unorderedParallelism(controls),
    sequence === undefined ? 1 : SEQUENCE_DEPTH,
  );
  const options = countedOptions(at.counter, parallelism);
  const handle = (e: EventEnvelope) => at.counted(e, who, () => run(e));
  const held = holdFor(spec, sub, {
    run,
    delayed: at.delayed,
    settle: () => at.counter?.settle(),
    parts,
  });
  const subscription = await bus.subscribe(
    spec.event,
    sub.group,
    held === null ? handle : held.handle(handle),
    options,
  );
  if (batcher === null && limiter === null && held === null && sequence === undefined) {
    return subscription;
  }
  return {
    close: () => {
      held?.unregister();
      // Deliveries waiting for a budget or a slot fail (the broker delivers them again), and the
      // forming batch runs now: a closing subscription waits for its in-flight deliveries. Those
      // queued in the Worker behind the running one are handed back unrun (CallAbandonedError).
      limiter?.close();
      batcher?.flush();
      if (sequence !== undefined) parts.runtime.endSequence?.(sequence);
      return subscription.close();
    },
  };
}

/**
 * The subscribe options of a counted group: its concurrency (1 by default), and with a counter, a
 * delivery that failed for good counted as handled once the bus stored its dead letter.
 */
function countedOptions(
  counter: DeliveryCounter | undefined,
  concurrency = 1,
): BusSubscribeOptions {
  const options: BusSubscribeOptions = concurrency === 1 ? {} : { concurrency };
  if (counter !== undefined) options.onDeadLettered = () => counter.settle();
  return options;
}

/** Which consumer a delivery goes to, for the dead-letter log entry. */
interface Consumer {
  handler: string;
  traceSuffix: string;
}

function countedDelivery(parts: EngineParts, options: SubscribeEventsOptions) {
  const counter = options.counter;
  const max = options.maxAttempts ?? 5;
  return async (envelope: EventEnvelope, who: Consumer, run: () => Promise<void>) => {
    try {
      await run();
      counter?.settle();
    } catch (error) {
      // The bus dead-letters these at once (a refused payload would be refused again).
      const name = (error as Error).name;
      // Never ran: the bus leaves it unsettled and the adapter hands it out again.
      if (name === "CallAbandonedError") throw error;
      const final = name === "NonRetriableError" || name === "InvalidEventPayloadError" ||
        envelope.metadata.attempt >= max;
      // Counted as handled once the bus stored its dead letter (`onDeadLettered`), not here.
      if (final) {
        parts.telemetry.log(givenUpLog(envelope, {
          headline: `Event "${envelope.topic}" dead-lettered`,
          handler: who.handler,
          error,
          traceId: envelope.metadata.trace_id && `${envelope.metadata.trace_id}${who.traceSuffix}`,
        }));
      }
      throw error;
    }
  };
}

/** What every delivery to one handler shares, made once per subscription. */
interface DeliverySite {
  spec: EventSpec;
  sub: SubscriptionSpec;
  /** Appended to the envelope's trace id: empty for the event's first consumer group. */
  traceSuffix: string;
  /** The runtime sequence the calls join (an ordered handler's pipelined deliveries). */
  sequence: string | undefined;
  /** The source and trace step name of what its runs trigger. */
  source: string;
  step: string;
}

function deliverySite(
  at: Pick<DeliverySite, "spec" | "sub" | "traceSuffix" | "sequence">,
): DeliverySite {
  return { ...at, source: `event:${at.spec.event}`, step: at.spec.event };
}

/**
 * Starts the trace of a delivery (or of a batch: `batch` is its size). The options are built
 * field by field rather than spread: a delivery makes no object it does not keep.
 */
function startDeliveryTrace(
  parts: EngineParts,
  envelope: EventEnvelope,
  options: {
    event: string;
    handler: string;
    traceSuffix: string;
    batch?: number | undefined;
    /** When the delivery started (`Date.now()`), when the caller read it. Default: the recorder's now. */
    startedMs?: number;
  },
): ActiveTrace {
  const { trace_id: traceId, parent_id: parentId, attempt, traceparent } = envelope.metadata;
  const metadata: Record<string, string> = {
    event: options.event,
    handler: options.handler,
    attempt: String(attempt),
  };
  if (options.batch !== undefined) metadata.batch_size = String(options.batch);
  const start: StartTraceOptions = { entryPoint: options.event, entryType: "event", metadata };
  if (options.startedMs !== undefined) start.startedMs = options.startedMs;
  if (traceId) start.id = `${traceId}${options.traceSuffix}`;
  if (parentId) start.parentId = parentId;
  if (typeof traceparent === "string") start.traceparent = traceparent;
  return parts.telemetry.startTrace(start);
}

/**
 * Runs one delivery, or a batched handler's deliveries (`batch`, in delivery order; `envelope` is
 * the first, whose trace is the batch's).
 */
async function deliver(
  parts: EngineParts,
  site: DeliverySite,
  envelope: EventEnvelope,
  batch?: EventEnvelope[],
): Promise<void> {
  const { spec, sub } = site;
  // One clock read for the trace's start and the handler call's: they start in the same turn.
  const started = Date.now();
  const trace = startDeliveryTrace(parts, envelope, {
    event: spec.event,
    handler: sub.handler.name,
    traceSuffix: site.traceSuffix,
    batch: batch?.length,
    startedMs: started,
  });
  const result = await invokeHandler(parts, {
    handler: sub.handler,
    input: batch === undefined
      ? { kind: "event", event: eventInput(envelope) }
      : { kind: "event_batch", events: batch.map(eventInput) },
    trace,
    sequence: site.sequence,
    startedMs: started,
  });
  if (!result.ok) {
    trace.end("failed", result.error.message);
    throw new HandlerFailure(result.error.name, result.error.message);
  }
  const publications = planTriggers(result.effects, [], null);
  // Most deliveries trigger nothing: they end here, without a publishing step to wait for.
  if (publications.length === 0) return trace.end("success");
  await endAfter(
    parts,
    trace,
    () =>
      publishStep(parts.publisher, publications, {
        source: site.source,
        trace,
        step: site.step,
        keyPrefix: `${envelope.id}:${sub.group}`,
        handler: sub.handler.name,
      }),
  );
}

function eventInput(envelope: EventEnvelope): EventInput {
  return {
    payload: envelope.payload,
    timestamp: envelope.timestamp,
    id: envelope.id,
    attempt: envelope.metadata.attempt,
  };
}

/** Forwards one occurrence's payload to the event's own `triggers:` (its own consumer group). */
async function forward(
  parts: EngineParts,
  ctx: { spec: EventSpec; envelope: EventEnvelope; traceSuffix: string },
): Promise<void> {
  const { spec, envelope } = ctx;
  const trace = startDeliveryTrace(parts, envelope, {
    event: spec.event,
    handler: "__triggers",
    traceSuffix: ctx.traceSuffix,
  });
  const origin = `the occurrence of "${spec.event}" (its triggers)`;
  const publications = spec.triggers.map((event) => ({ event, payload: envelope.payload, origin }));
  await endAfter(parts, trace, () =>
    publishStep(parts.publisher, publications, {
      source: `event:${spec.event}`,
      trace,
      step: spec.event,
      keyPrefix: `${envelope.id}:forward`,
    }));
}

/**
 * Ends a delivery trace after its publishing: failed (and rethrown, for the bus to retry, or to
 * dead-letter a refused payload at once, logged with its issues) or not.
 */
async function endAfter(
  parts: EngineParts,
  trace: ActiveTrace,
  publish: () => Promise<unknown>,
): Promise<void> {
  try {
    await publish();
  } catch (error) {
    if (error instanceof InvalidEventPayloadError) {
      parts.telemetry.log(invalidPayloadLog(error, { source: "engine:events", traceId: trace.id }));
    }
    trace.end("failed", String(error));
    throw error;
  }
  trace.end("success");
}
