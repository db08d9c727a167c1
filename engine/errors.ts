/**
 * Errors of the engine: building the application model, starting, serving.
 *
 * @module
 */

import { RohasError } from "../errors.ts";

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

/** Building the application model found handlers without a file. */
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
