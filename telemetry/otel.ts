/**
 * Traces as OpenTelemetry spans through `npm:@opentelemetry/api`: with `OTEL_DENO=true` Deno's
 * built-in exporter ships them over OTLP with no extra code; otherwise the API's no-op tracer makes
 * this nearly free. A trace is a span, each step a child span, and a trace with a parent (an event
 * published by an API call) becomes a child of the parent's span, so the tree survives in the
 * collector.
 *
 * @module
 */

import {
  context,
  INVALID_TRACEID,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from "@opentelemetry/api";
import type { StartTraceOptions, TraceStep } from "./model.ts";

/** Span contexts remembered for parent links after a trace ended. */
const REMEMBERED = 2048;

/** Records Rohas traces as spans. */
export class OtelBridge {
  #tracer: Tracer;
  #spans = new Map<string, Span>();
  #contexts = new Map<string, SpanContext>();
  /** Set by the first trace: the tracer gave a span with no trace id, the API's no-op tracer (no
   * provider registered). From then on nothing is created per trace. */
  #noop = false;
  #probed = false;

  /** Creates the bridge.
   *
   * @param tracer the tracer. Default: `trace.getTracer("rohas")` of the global provider
   */
  constructor(tracer: Tracer = trace.getTracer("rohas")) {
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
    const ctx = parent ? trace.setSpanContext(context.active(), parent) : context.active();
    const span = this.#tracer.startSpan(options.entryPoint, {
      kind: options.entryType === "api" ? SpanKind.SERVER : SpanKind.CONSUMER,
      startTime: startedMs,
    }, ctx);
    if (!this.#probed) this.#probe(span, parent);
    if (!span.isRecording()) {
      // Sampled out under a real provider: children still follow this decision through the link.
      const spanContext = span.spanContext();
      if (spanContext.traceId !== INVALID_TRACEID) this.#remember(id, spanContext);
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
    if (spanContext === undefined || spanContext.traceId === INVALID_TRACEID) return undefined;
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
    }, trace.setSpan(context.active(), parent));
    if (!step.success) span.setStatus({ code: SpanStatusCode.ERROR, message: step.error ?? "" });
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
        ? { code: SpanStatusCode.OK }
        : { code: SpanStatusCode.ERROR, message: error ?? "" },
    );
    span.end(endMs);
  }

  /** Decides once, on the first span, whether the tracer is the no-op one. */
  #probe(span: Span, parent: SpanContext | undefined): void {
    this.#probed = true;
    this.#noop = parent === undefined && !span.isRecording() &&
      span.spanContext().traceId === INVALID_TRACEID;
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
