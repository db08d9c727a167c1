/**
 * Traces as OpenTelemetry spans through `npm:@opentelemetry/api`: with `OTEL_DENO=true` Deno's
 * built-in exporter ships them over OTLP with no extra code. A trace is a span, each step a child
 * span, and a trace with a parent (an event published by an API call) becomes a child of the
 * parent's span, so the tree survives in the collector.
 *
 * The API is imported only when a tracer provider is registered ({@linkcode openOtelBridge}):
 * without one its tracer is a no-op, and loading the package (the first npm package of a process
 * loads Deno's npm support) would cost each process, every edge included, about 1.7 MiB resident
 * for nothing (bench/memory_bench.ts).
 *
 * @module
 */

import type { Span, SpanContext, Tracer } from "@opentelemetry/api";
import type { StartTraceOptions, TraceStep } from "./model.ts";

/** The parts of `npm:@opentelemetry/api` the bridge calls (the module itself will do). */
export type OtelApi = Pick<
  typeof import("@opentelemetry/api"),
  "context" | "trace" | "INVALID_TRACEID" | "SpanKind" | "SpanStatusCode"
>;

/** Where `@opentelemetry/api` (major version 1) keeps the registered providers. */
const OTEL_GLOBAL = Symbol.for("opentelemetry.js.api.1");

/**
 * A bridge over the registered tracer provider (Deno's with `OTEL_DENO=true`), or undefined when
 * none is registered: then no span would record, and the API is not even imported. A provider
 * registered later (after the telemetry was created) is not seen.
 *
 * @example Without a provider there is no bridge
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { openOtelBridge } from "./otel.ts";
 * if (!Deno.env.get("OTEL_DENO")) assert((await openOtelBridge()) === undefined);
 * ```
 *
 * @returns the bridge, or undefined
 */
export async function openOtelBridge(): Promise<OtelBridge | undefined> {
  const registered = (globalThis as Record<symbol, { trace?: unknown } | undefined>)[OTEL_GLOBAL];
  if (registered?.trace === undefined) return undefined;
  return new OtelBridge(await import("@opentelemetry/api"));
}

/** Span contexts remembered for parent links after a trace ended. */
const REMEMBERED = 2048;

/** Records Rohas traces as spans. */
export class OtelBridge {
  readonly #api: OtelApi;
  #tracer: Tracer;
  #spans = new Map<string, Span>();
  #contexts = new Map<string, SpanContext>();
  /** Set by the first trace: the tracer gave a span with no trace id, the API's no-op tracer (no
   * provider registered). From then on nothing is created per trace. */
  #noop = false;
  #probed = false;

  /** Creates the bridge ({@linkcode openOtelBridge} makes one only where a provider records).
   *
   * @param api `npm:@opentelemetry/api`
   * @param tracer the tracer. Default: `api.trace.getTracer("rohas")` of the global provider
   */
  constructor(api: OtelApi, tracer: Tracer = api.trace.getTracer("rohas")) {
    this.#api = api;
    this.#tracer = tracer;
  }

  /**
   * Whether the bridge found that no span records (the API's no-op tracer): it then reads nothing
   * of what it is given. False until its first span tells.
   */
  get idle(): boolean {
    return this.#noop;
  }

  /** Starts the span of a trace. A span that does not record (the API's no-op tracer when no
   * provider is registered, or one sampled out) is dropped at once: nothing else is built for it. */
  start(id: string, options: StartTraceOptions, startedMs: number): void {
    if (this.#noop) return;
    // The parent's span: remembered when this process recorded it, else the one the event
    // envelope carried from the process that did.
    const parent =
      (options.parentId === undefined ? undefined : this.#contexts.get(options.parentId)) ??
        remoteParent(options.traceparent);
    const active = this.#api.context.active();
    const ctx = parent ? this.#api.trace.setSpanContext(active, parent) : active;
    const span = this.#tracer.startSpan(options.entryPoint, {
      kind: options.entryType === "api" ? this.#api.SpanKind.SERVER : this.#api.SpanKind.CONSUMER,
      startTime: startedMs,
    }, ctx);
    if (!this.#probed) this.#probe(span, parent);
    if (!span.isRecording()) {
      // Sampled out under a real provider: children still follow this decision through the link.
      const spanContext = span.spanContext();
      if (spanContext.traceId !== this.#api.INVALID_TRACEID) this.#remember(id, spanContext);
      return;
    }
    span.setAttributes({
      "rohas.trace_id": id,
      "rohas.entry_type": options.entryType,
      ...(options.parentId === undefined ? {} : { "rohas.parent_id": options.parentId }),
      ...prefixed(options.metadata ?? {}),
    });
    this.#spans.set(id, span);
    this.#remember(id, span.spanContext());
  }

  /**
   * The W3C `traceparent` of a trace's span, for the events it publishes; undefined when no span
   * records it (no provider, sampled out, or forgotten).
   */
  traceparent(id: string): string | undefined {
    if (this.#noop) return undefined;
    const spanContext = this.#contexts.get(id);
    if (spanContext === undefined || spanContext.traceId === this.#api.INVALID_TRACEID) {
      return undefined;
    }
    const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, "0");
    return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
  }

  /** Adds a step as a child span. */
  step(id: string, step: TraceStep): void {
    // No span records (no provider, or all sampled out): the id is not even hashed.
    if (this.#spans.size === 0) return;
    const parent = this.#spans.get(id);
    if (!parent) return;
    const started = Date.parse(step.timestamp);
    const span = this.#tracer.startSpan(step.name, {
      startTime: started,
      attributes: { "rohas.handler": step.handler_name },
    }, this.#api.trace.setSpan(this.#api.context.active(), parent));
    if (!step.success) {
      span.setStatus({ code: this.#api.SpanStatusCode.ERROR, message: step.error ?? "" });
    }
    for (const event of step.triggered_events ?? []) {
      span.addEvent(`trigger ${event.event_name}`, Date.parse(event.timestamp));
    }
    span.end(started + step.duration_ms);
  }

  /** Ends the span of a trace. */
  end(id: string, status: "success" | "failed", error: string | undefined, endMs: number): void {
    if (this.#spans.size === 0) return;
    const span = this.#spans.get(id);
    if (!span) return;
    this.#spans.delete(id);
    span.setStatus(
      status === "success"
        ? { code: this.#api.SpanStatusCode.OK }
        : { code: this.#api.SpanStatusCode.ERROR, message: error ?? "" },
    );
    span.end(endMs);
  }

  /** Decides once, on the first span, whether the tracer is the no-op one. */
  #probe(span: Span, parent: SpanContext | undefined): void {
    this.#probed = true;
    this.#noop = parent === undefined && !span.isRecording() &&
      span.spanContext().traceId === this.#api.INVALID_TRACEID;
  }

  #remember(id: string, spanContext: SpanContext): void {
    this.#contexts.set(id, spanContext);
    if (this.#contexts.size > REMEMBERED) {
      const oldest = this.#contexts.keys().next().value;
      if (oldest !== undefined) this.#contexts.delete(oldest);
    }
  }
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The span context of a W3C `traceparent` (version 00), or undefined for anything else. */
function remoteParent(traceparent: string | undefined): SpanContext | undefined {
  const match = traceparent === undefined ? null : TRACEPARENT.exec(traceparent);
  if (match === null || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return undefined;
  return {
    traceId: match[1]!,
    spanId: match[2]!,
    traceFlags: parseInt(match[3]!, 16),
    isRemote: true,
  };
}

function prefixed(metadata: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata).map(([k, v]) => [`rohas.${k}`, v]));
}
