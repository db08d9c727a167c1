/**
 * The collaborators the engine is composed of, passed in as options (no singletons): the handler
 * runtime, the event publisher, telemetry, validators, config.
 *
 * @module
 */

import type { RohasConfig } from "../project/mod.ts";
import type { Telemetry } from "../telemetry/mod.ts";
import type { HandlerRuntime } from "./runtime/contract.ts";
import type { ValidatorTable } from "../codegen/mod.ts";

// Declared once, by codegen, which compiles the validators; the engine only calls them.
export type { ValidationIssue, Validator, ValidatorTable } from "../codegen/mod.ts";

/** How an event is published: its cause, its source and an optional idempotency key. */
export interface PublishOptions {
  /** The trace id of the cause. */
  parentId: string | null;
  /** `api:<Name>`, `event:<Name>`, `cron:<Name>`, `ws:<Name>`, `workbench`. */
  source: string;
  /** Publishes with the same key inside the adapter's window are delivered once. Default: none. */
  idempotencyKey?: string;
  /** The W3C `traceparent` of the cause's OpenTelemetry span, when one records it. */
  traceparent?: string | undefined;
  /**
   * Publish later (`at`), or cancel a delayed event (`cancel`); only the engine's publisher takes it
   * (the event bus refuses it). Default: publish now.
   */
  timing?: PublishTiming;
}

/**
 * When a publish happens: at a time (milliseconds since the epoch; `key` names it), or not at all
 * because it cancels the delayed event of that topic with `key`.
 */
export type PublishTiming =
  | { kind: "at"; at: number; key?: string }
  | { kind: "cancel"; key: string };

/** What the engine needs of the event bus to publish (engine/events `EventBus` satisfies it). */
export interface EventPublisher {
  /** Resolves once the adapter accepted the event. */
  publish(topic: string, payload: unknown, options: PublishOptions): Promise<unknown>;
  /**
   * Publishes several events in order, each accepted before the next, stopping at the first that
   * fails: what calling {@linkcode EventPublisher.publish} in turn does, for a publisher whose every
   * call is a round trip (an edge process publishing through the main process). Optional.
   */
  publishSeries?(items: readonly SeriesItem[]): Promise<SeriesOutcome>;
}

/** One publication of {@linkcode EventPublisher.publishSeries}. */
export interface SeriesItem {
  /** The event name. */
  topic: string;
  /** The payload, any JSON value. */
  payload: unknown;
  /** Its cause, source and idempotency key. */
  options: PublishOptions;
}

/** How a series went: when and how long each accepted publication took, and why the next failed. */
export interface SeriesOutcome {
  /** `[start, duration]` in milliseconds (epoch, elapsed) of each accepted publication, in order. */
  accepted: [number, number][];
  /** Why publication `accepted.length` failed (the rest were not tried); absent when all were. */
  error?: unknown;
}

/** `dev` shows handler error messages to clients; `production` hides them. */
export type EngineMode = "dev" | "production";

/** Everything a request, delivery or cron run needs. */
export interface EngineParts {
  /** Calls the handlers. */
  runtime: HandlerRuntime;
  /** Publishes the events handlers trigger. */
  publisher: EventPublisher;
  /** Receives traces, logs and metrics. */
  telemetry: Telemetry;
  /** Validates request bodies and WebSocket messages by type name. */
  validators: ValidatorTable;
  /** The project configuration (`config/rohas.toml`), defaults filled in. */
  config: RohasConfig;
  /** Whether handler error messages reach clients. */
  mode: EngineMode;
}
