/**
 * Errors of the engine: building the application model, starting, serving.
 *
 * @module
 */

import { RohasError } from "../errors.ts";
import type { Diagnostic } from "../parser/mod.ts";
import type { SerializedError } from "./runtime/contract.ts";

/** The base of every engine error. */
export class EngineError extends RohasError {
  /** Creates an engine error.
   *
   * @param message what went wrong
   * @param options the underlying cause
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "EngineError";
  }
}

/** A handler named by the schema has no file or no matching export. */
export interface MissingHandler {
  /** `api`, `event`, `cron`, `ws_connect`... */
  kind: string;
  /** The schema name of the handler. */
  name: string;
  /** The definition that names it. */
  owner: string;
  /** Project-relative files tried, in order. */
  tried: string[];
}

/**
 * Building the application model found handlers without a file.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { HandlerResolutionError } from "./errors.ts";
 * const error = new HandlerResolutionError([
 *   { kind: "api", name: "GetUser", owner: "GetUser", tried: ["src/handlers/api/get_user.ts"] },
 * ]);
 * assertEquals(
 *   error.message,
 *   'Cannot build the application: 1 handler file(s) missing:\n  api "GetUser" of "GetUser": tried "src/handlers/api/get_user.ts"',
 * );
 * ```
 */
export class HandlerResolutionError extends EngineError {
  /** Every handler that could not be resolved. */
  readonly missing: MissingHandler[];

  /** Creates the error listing every missing handler and the files tried.
   *
   * @param missing the unresolved handlers
   */
  constructor(missing: MissingHandler[]) {
    const lines = missing.map((m) =>
      `  ${m.kind} "${m.name}" of "${m.owner}": tried ${m.tried.map((t) => `"${t}"`).join(", ")}`
    );
    super(
      `Cannot build the application: ${missing.length} handler file(s) missing:\n${
        lines.join("\n")
      }`,
    );
    this.name = "HandlerResolutionError";
    this.missing = missing;
  }
}

/** Two routes claim the same method and path. */
export class RouteConflictError extends EngineError {
  /** Creates the error.
   *
   * @param route `METHOD /path`
   * @param existing the owner of the route already registered
   */
  constructor(route: string, existing: string) {
    super(`Cannot register route "${route}": route already exists for "${existing}"`);
    this.name = "RouteConflictError";
  }
}

/**
 * A handler failure thrown back to the event bus. Its `name` is the handler error's name, so the
 * bus recognises `NonRetriableError` (by name, never by message).
 */
export class HandlerFailure extends EngineError {
  /** Creates the failure.
   *
   * @param name the handler error's name
   * @param message the handler error's message
   */
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/**
 * A scheduled cron run failed (its handler, or publishing its triggers). The message is the
 * failure's own; the scheduler reports it with the job's name.
 */
export class CronRunError extends EngineError {
  /** The failed run's trace id. */
  readonly traceId: string;

  /** Creates the error.
   *
   * @param message why the run failed
   * @param traceId the run's trace id
   */
  constructor(message: string, traceId: string) {
    super(message);
    this.name = "CronRunError";
    this.traceId = traceId;
  }
}

/** A project could not start: its schema has errors, or a handler or setting is broken. */
export class ServeError extends EngineError {
  /** What went wrong: schema diagnostics, or the underlying error. */
  readonly failure: PrepareFailure;

  /** Creates the error.
   *
   * @param failure the preparation failure
   */
  constructor(failure: PrepareFailure) {
    super(failure.kind === "error" ? failure.error.message : "The schema has errors");
    this.name = "ServeError";
    this.failure = failure;
  }
}

/**
 * Why a preparation (`prepareApp`) failed: schema diagnostics with the sources they point into, or
 * another error (missing handler, codegen).
 */
export type PrepareFailure =
  | { ok: false; kind: "diagnostics"; diagnostics: Diagnostic[]; sources: Map<string, string> }
  | { ok: false; kind: "error"; error: Error };

/** Closing a part the assembly started failed (at shutdown, or after a start-up step failed). */
export class StartupCleanupError extends EngineError {
  /** Each part that failed to close, with its error. */
  readonly failures: readonly { name: string; error: unknown }[];

  /** Creates the error.
   *
   * @param failures the parts that failed to close, with their errors
   * @param cause the start-up error that made the assembly close what had started, if any
   */
  constructor(failures: readonly { name: string; error: unknown }[], cause: unknown) {
    const parts = failures.map((f) => `${f.name}: ${messageOf(f.error)}`).join("; ");
    super(
      cause === null
        ? `Cannot close the app: ${parts}`
        : `Cannot start the app: ${
          messageOf(cause)
        }; closing what had started also failed: ${parts}`,
      { cause: cause ?? failures[0]?.error },
    );
    this.name = "StartupCleanupError";
    this.failures = failures;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An error as a preparation failure (what `ServeError` carries).
 *
 * @param error what was thrown
 * @returns the failure
 */
export function failureOf(error: unknown): PrepareFailure {
  return {
    ok: false,
    kind: "error",
    error: error instanceof Error ? error : new Error(String(error)),
  };
}

/** A Python handler module failed to import when the server started. */
export interface BrokenPythonModule {
  /** The handler file, relative to the project root. */
  file: string;
  /** What importing it raised. */
  error: SerializedError;
}

/**
 * Python handler modules do not import (a missing package, a syntax error): the server refuses to
 * start instead of failing every call. The message lists each module and, for a missing package,
 * the interpreter and the `pip install` line.
 */
export class PythonModulesError extends EngineError {
  /** Each module that failed, in schema order. */
  readonly modules: BrokenPythonModule[];

  /** Creates the error.
   *
   * @param modules the modules that failed
   * @param executable `[runtime.python] executable`, the interpreter whose packages are used
   */
  constructor(modules: BrokenPythonModule[], executable: string) {
    const count = modules.length === 1
      ? "1 Python handler module does"
      : `${modules.length} Python handler modules do`;
    const lines = modules.map((m) => `  ${m.file}: ${m.error.name}: ${m.error.message}`);
    const missing = [
      ...new Set(modules.flatMap((m) => m.error.module ? [topLevel(m.error.module)] : [])),
    ];
    const hint = missing.length === 0 ? [] : [
      `${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not installed for the Python ` +
      `interpreter "${executable}" ([runtime.python] executable): install with`,
      `  ${executable} -m pip install ${missing.join(" ")}`,
    ];
    super([`Cannot start: ${count} not import`, ...lines, ...hint].join("\n"));
    this.name = "PythonModulesError";
    this.modules = modules;
  }
}

/** A package is installed by its top-level name (`yaml` for `yaml.loader`). */
function topLevel(module: string): string {
  return module.split(".")[0]!;
}
