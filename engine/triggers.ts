/**
 * Triggers (docs/design.md#d6-triggers), one rule for every source: when a handler succeeds, its
 * manual `triggerEvent` calls are published in call order, then each schema `triggers:` event
 * exactly once with its `setPayload` value or the handler's result unwrapped (`X` for `{data: X}`,
 * `{}` for nothing). Every event carries the trace id of its cause.
 *
 * @module
 */

import type { ActiveTrace, LogEntry, TriggeredEventRecord } from "../telemetry/mod.ts";
import { isoTime } from "../telemetry/mod.ts";
import { InvalidEventPayloadError, type PayloadIssue } from "./events/mod.ts";
import type { Effect, HandlerOutput } from "./runtime/contract.ts";
import type {
  EventPublisher,
  PublishOptions,
  PublishTiming,
  SeriesItem,
  SeriesOutcome,
} from "./parts.ts";
import { cancelKey, triggerTiming } from "./runtime/trigger_options.ts";
import { addTriggersStep } from "./_invoke.ts";
import { socketMessageOf, SOCKETS_TOPIC } from "./socket_fanout.ts";

/** One event to publish. */
export interface Publication {
  /** The event's name (its topic). */
  event: string;
  /** The payload, as the handler gave it. */
  payload: unknown;
  /**
   * Where the payload came from, for a refusal's message: `state.triggerEvent`,
   * `state.setPayload`, `the handler's result`, `the occurrence of "E"`. Default none.
   */
  origin?: string;
  /** Publish later, or cancel a delayed publish (`state.cancelEvent`). Default: publish now. */
  timing?: PublishTiming;
}

/** The cause of a set of publications. */
export interface TriggerSource {
  /** `api:<Name>`, `event:<Name>`, `cron:<Name>`, `ws:<Name>`. */
  source: string;
  /** The cause's trace id, the published events' parent. */
  traceId: string;
  /** Prefix of the idempotency keys (`<prefix>:<index>`). Default: the trace id. */
  keyPrefix?: string;
  /** The W3C `traceparent` of the cause's OpenTelemetry span. Default: none. */
  traceparent?: string | undefined;
  /** The handler that published, when the source has several (events). Default: none. */
  handler?: string;
}

/** Unwraps a handler result: `X` for `{data: X}`, the value itself otherwise, `{}` for nothing.
 *
 * @param output the handler's output, or null when there is none
 * @returns the default payload of schema triggers
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { unwrapResult } from "./triggers.ts";
 * const payload = unwrapResult({ kind: "json", value: { data: { id: 7 } } });
 * assertEquals((payload as { id: number }).id, 7);
 * ```
 */
export function unwrapResult(output: HandlerOutput | null): unknown {
  if (output === null || output.kind === "response") return {};
  const value = output.value;
  if (value === undefined || value === null) return {};
  if (typeof value === "object" && !Array.isArray(value) && Object.hasOwn(value, "data")) {
    return (value as { data: unknown }).data ?? {};
  }
  return value;
}

/** Options of {@linkcode planTriggers}. */
export interface PlanOptions {
  /**
   * Whether `state.send` / `state.broadcast` become publications of {@linkcode SOCKETS_TOPIC}
   * (the engine delivers them to the sockets of every instance). The socket hub delivers its own
   * handlers' messages itself. Default true.
   */
  sockets?: boolean;
}

/** Plans what a successful handler publishes, in order: manual triggers and socket messages in
 * call order, then each schema trigger once.
 *
 * @param effects the handler's effects in call order
 * @param schemaTriggers the source's `triggers:` list
 * @param output the handler's output (for the default payload)
 * @returns manual triggers first, then each schema trigger once
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { planTriggers } from "./triggers.ts";
 * const plan = planTriggers(
 *   [{ kind: "trigger", event: "Audited", payload: 1 }],
 *   ["UserCreated"],
 *   { kind: "json", value: { data: { id: 7 } } },
 * );
 * assertEquals(plan.map((p) => p.event).join(), "Audited,UserCreated");
 * ```
 */
export function planTriggers(
  effects: readonly Effect[],
  schemaTriggers: readonly string[],
  output: HandlerOutput | null,
  options: PlanOptions = {},
): Publication[] {
  // What most event handlers return: no effect, no schema trigger.
  if (effects.length === 0 && schemaTriggers.length === 0) return [];
  const manual: Publication[] = [];
  const setPayloads = new Map<string, unknown>();
  const sockets = options.sockets ?? true;
  for (const e of effects) {
    if (e.kind === "trigger") {
      const timing = timingOf(e);
      manual.push({
        event: e.event,
        payload: e.payload,
        origin: "state.triggerEvent",
        ...(timing ? { timing } : {}),
      });
    }
    if (e.kind === "cancel_event") {
      const timing = { kind: "cancel", key: cancelKey(e.event, e.key) } as const;
      manual.push({ event: e.event, payload: null, origin: "state.cancelEvent", timing });
    }
    if (e.kind === "set_payload") setPayloads.set(e.event, e.payload);
    const message = sockets ? socketMessageOf(e) : null;
    if (message) manual.push({ event: SOCKETS_TOPIC, payload: message, origin: `state.${e.kind}` });
  }
  const fallback = unwrapResult(output);
  const auto = [...new Set(schemaTriggers)].map((event) =>
    setPayloads.has(event)
      ? { event, payload: setPayloads.get(event), origin: "state.setPayload" }
      : { event, payload: fallback, origin: "the handler's result" }
  );
  return [...manual, ...auto];
}

/**
 * The timing of a trigger effect, checked again here: a Python handler's effects arrive as it
 * built them.
 */
function timingOf(effect: Extract<Effect, { kind: "trigger" }>): PublishTiming | null {
  if (effect.at === undefined && effect.key === undefined) return null;
  const timing = triggerTiming(effect.event, { at: effect.at, key: effect.key }, Date.now());
  if (timing.at === undefined) return null;
  return { kind: "at", at: timing.at, ...(timing.key === undefined ? {} : { key: timing.key }) };
}

/** Publishes planned events in order, each accepted by the adapter before the next.
 *
 * @param publisher the event bus
 * @param publications what to publish
 * @param source the cause
 * @returns a record per published event (for the trace)
 * @example Keys are the prefix and the index, so a redelivery publishes the same keys
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { publishAll } from "./triggers.ts";
 * const keys: (string | undefined)[] = [];
 * const publisher = {
 *   publish: (_topic: string, _payload: unknown, options: { idempotencyKey?: string }) =>
 *     Promise.resolve(keys.push(options.idempotencyKey)),
 * };
 * const records = await publishAll(publisher, [{ event: "A", payload: 1 }, { event: "B", payload: 2 }], {
 *   source: "cron:Nightly",
 *   traceId: "t-1",
 * });
 * assert(records.length === 2 && keys.join() === "t-1:0,t-1:1");
 * ```
 */
export async function publishAll(
  publisher: EventPublisher,
  publications: readonly Publication[],
  source: TriggerSource,
): Promise<TriggeredEventRecord[]> {
  if (publisher.publishSeries !== undefined && publications.length > 1) {
    return await publishSeries(publisher.publishSeries.bind(publisher), publications, source);
  }
  const records: TriggeredEventRecord[] = [];
  const prefix = source.keyPrefix ?? source.traceId;
  for (const [i, p] of publications.entries()) {
    const started = performance.now();
    const timestamp = new Date().toISOString();
    try {
      await publisher.publish(p.event, p.payload, publishOptions(source, `${prefix}:${i}`, p));
    } catch (error) {
      throw error instanceof InvalidEventPayloadError ? withOrigin(error, p, source) : error;
    }
    records.push({ event_name: p.event, timestamp, duration_ms: performance.now() - started });
  }
  return records;
}

/**
 * Publishes a series one publication at a time, each accepted before the next, stopping at the
 * first failure: {@linkcode EventPublisher.publishSeries} for a publisher that has no faster way.
 *
 * @param publisher publishes each
 * @param items the publications, in order
 * @returns each accepted publication's start and duration, and the error that stopped the series
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { publishInTurn } from "./triggers.ts";
 * const publisher = {
 *   publish: (topic: string) => topic === "B" ? Promise.reject(new Error("No")) : Promise.resolve(),
 * };
 * const options = { parentId: null, source: "workbench" };
 * const topics = ["A", "B", "C"].map((topic) => ({ topic, payload: null, options }));
 * const outcome = await publishInTurn(publisher, topics);
 * assertEquals([outcome.accepted.length, (outcome.error as Error).message], [1, "No"]);
 * ```
 */
export async function publishInTurn(
  publisher: EventPublisher,
  items: readonly SeriesItem[],
): Promise<SeriesOutcome> {
  const accepted: [number, number][] = [];
  for (const item of items) {
    const at = Date.now();
    const started = performance.now();
    try {
      await publisher.publish(item.topic, item.payload, item.options);
    } catch (error) {
      return { accepted, error };
    }
    accepted.push([at, performance.now() - started]);
  }
  return { accepted };
}

/** {@linkcode publishAll} in one call of a publisher that offers series (one round trip). */
async function publishSeries(
  publish: NonNullable<EventPublisher["publishSeries"]>,
  publications: readonly Publication[],
  source: TriggerSource,
): Promise<TriggeredEventRecord[]> {
  const prefix = source.keyPrefix ?? source.traceId;
  const items = publications.map((p, i) => ({
    topic: p.event,
    payload: p.payload,
    options: publishOptions(source, `${prefix}:${i}`, p),
  }));
  const outcome = await publish(items);
  if (outcome.error !== undefined) {
    const { error } = outcome;
    const failed = publications[outcome.accepted.length]!;
    throw error instanceof InvalidEventPayloadError ? withOrigin(error, failed, source) : error;
  }
  return outcome.accepted.map(([at, duration], i) => ({
    event_name: publications[i]!.event,
    timestamp: isoTime(at),
    duration_ms: duration,
  }));
}

/**
 * The options of one publication, built field by field: a spread of a conditional object literal
 * still makes that object, once per triggered event.
 */
function publishOptions(source: TriggerSource, key: string, p: Publication): PublishOptions {
  const options: PublishOptions = {
    parentId: source.traceId,
    source: source.source,
    idempotencyKey: key,
  };
  if (source.traceparent !== undefined) options.traceparent = source.traceparent;
  if (p.timing !== undefined) options.timing = p.timing;
  return options;
}

/** The bus's refusal again, saying which publication of which source made it. */
function withOrigin(
  error: InvalidEventPayloadError,
  publication: Publication,
  source: TriggerSource,
): InvalidEventPayloadError {
  const by = source.handler === undefined
    ? source.source
    : `handler "${source.handler}" (${source.source})`;
  const origin = publication.origin === undefined
    ? `from ${by}`
    : `from ${publication.origin} of ${by}`;
  const { event, payloadType } = error;
  const details = error.details as PayloadIssue[];
  return InvalidEventPayloadError.ofPublish({ event, payloadType, details, origin, cause: error });
}

/**
 * The error-level log of a refused payload, naming the event, the source and every issue: the
 * client of an API that failed this way only sees a 500.
 *
 * @param error the refusal
 * @param options the source (`api:<Name>`...) and the trace
 * @returns the log entry
 */
export function invalidPayloadLog(
  error: InvalidEventPayloadError,
  options: { source: string; traceId: string },
): LogEntry {
  return {
    timestamp: new Date().toISOString(),
    level: "error",
    target: options.source,
    message: error.message,
    fields: {
      event: error.event,
      payload_type: error.payloadType,
      issues: JSON.stringify(error.details),
    },
    trace_id: options.traceId,
    span_fields: {},
  };
}

/** Plans and publishes a successful handler's triggers (the one function every source uses).
 *
 * @param publisher the event bus
 * @param result the handler's effects, output and the schema triggers
 * @param source the cause
 * @returns a record per published event
 * @example A `setPayload` value wins over the handler's result for its schema trigger
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { publishTriggers } from "./triggers.ts";
 * const published: unknown[] = [];
 * const publisher = {
 *   publish: (topic: string, payload: unknown) => Promise.resolve(published.push([topic, payload])),
 * };
 * await publishTriggers(publisher, {
 *   effects: [{ kind: "set_payload", event: "UserCreated", payload: { id: 1 } }],
 *   output: { kind: "json", value: { data: { id: 2 } } },
 *   schemaTriggers: ["UserCreated"],
 * }, { source: "api:CreateUser", traceId: "t-1" });
 * assertEquals(JSON.stringify(published), '[["UserCreated",{"id":1}]]');
 * ```
 */
export function publishTriggers(
  publisher: EventPublisher,
  result: { effects: readonly Effect[]; output: HandlerOutput | null; schemaTriggers: string[] },
  source: TriggerSource,
): Promise<TriggeredEventRecord[]> {
  return publishAll(
    publisher,
    planTriggers(result.effects, result.schemaTriggers, result.output),
    source,
  );
}

/** Options of {@linkcode publishStep}: the cause, and the trace that records the publishing. */
export interface PublishStepOptions {
  /** `api:<Name>`, `event:<Name>`, `cron:<Name>`, `ws:<Name>`. */
  source: string;
  /** The cause's trace: the published events' parent, and where the step is added. */
  trace: ActiveTrace;
  /** The definition that publishes; the step is named `<step> triggers`. */
  step: string;
  /** Prefix of the idempotency keys (`<prefix>:<index>`). Default: the trace id. */
  keyPrefix?: string;
  /** The handler that publishes, when the source has several (events). Default: none. */
  handler?: string;
}

/** Publishes planned events in order and records them as one `<step> triggers` trace step (no step
 * when nothing was published). Every source (api, event, cron, ws) publishes through this.
 *
 * @param publisher the event bus
 * @param publications what to publish, usually from {@linkcode planTriggers}
 * @param options the cause, its trace and the step name
 * @returns a record per published event
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { publishStep } from "./triggers.ts";
 * const steps: string[] = [];
 * const trace = { id: "t-1", addStep: (s: { name: string }) => steps.push(s.name), end: () => {} };
 * const publisher = { publish: () => Promise.resolve() };
 * await publishStep(publisher, [{ event: "Ticked", payload: {} }], {
 *   source: "cron:Nightly",
 *   trace,
 *   step: "Nightly",
 * });
 * assertEquals(steps, ["Nightly triggers"]);
 * ```
 */
export async function publishStep(
  publisher: EventPublisher,
  publications: readonly Publication[],
  options: PublishStepOptions,
): Promise<TriggeredEventRecord[]> {
  if (publications.length === 0) return [];
  const published = await publishAll(publisher, publications, {
    source: options.source,
    traceId: options.trace.id,
    traceparent: options.trace.traceparent?.(),
    ...(options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix }),
    ...(options.handler === undefined ? {} : { handler: options.handler }),
  });
  addTriggersStep(options.trace, `${options.step} triggers`, published);
  return published;
}

/**
 * Runs a publishing; null when it succeeded, else the message a cron outcome or a WebSocket error
 * frame reports.
 *
 * @param publish the publishing to run
 * @returns null, or `Failed to publish events: <detail>`
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { publishFailure } from "./triggers.ts";
 * const message = await publishFailure(() => Promise.reject(new Error("Broker down")));
 * assertEquals(message, "Failed to publish events: Broker down");
 * ```
 */
export async function publishFailure(publish: () => Promise<unknown>): Promise<string | null> {
  try {
    await publish();
    return null;
  } catch (error) {
    return `Failed to publish events: ${(error as Error).message}`;
  }
}
