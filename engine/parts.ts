/**
 * The collaborators the engine is composed of, passed in as options (no singletons): the handler
 * runtime, the event publisher, telemetry, validators, config.
 *
 * @module
 */

import type { RohasConfig } from "../project/config.ts";
import type { Telemetry } from "../telemetry/model.ts";
import type { HandlerRuntime } from "./runtime/contract.ts";

/** One problem a validator found; `path` is like `address.street` or `tags[2]`, `""` for the root. */
export interface ValidationIssue {
  /** Where the problem is: `address.street`, `tags[2]`, or `""` for the value itself. */
  path: string;
  /** What is wrong, such as `expected a string`. */
  message: string;
}

/** Checks a JSON value against a schema type (codegen's `compileValidators`). */
export type Validator = (value: unknown) => ValidationIssue[];

/** Validators by type name (inputs, models, types, primitives). */
export type ValidatorTable = ReadonlyMap<string, Validator>;

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
}

/** What the engine needs of the event bus to publish (engine/events `EventBus` satisfies it). */
export interface EventPublisher {
  /** Resolves once the adapter accepted the event. */
  publish(topic: string, payload: unknown, options: PublishOptions): Promise<unknown>;
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
