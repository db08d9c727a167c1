/**
 * The stable codes of validation diagnostics. Tools and tests match on these, never on messages.
 *
 * @module
 */

/** Every code `validateSchema` reports, with its severity in the comment. */
export const VALIDATION_CODES = {
  /** Error: two definitions share a name (one namespace for every kind). */
  duplicateDefinition: "duplicate-definition",
  /** Error: a field, `body`, `response`, `payload` or `message` names no primitive, model, type or input. */
  undefinedType: "undefined-type",
  /** Error: a `triggers:` item names no event. */
  undefinedEvent: "undefined-event",
  /** Error: an event without `payload:`. */
  missingPayload: "missing-payload",
  /** Error: a cron without `schedule:`. */
  missingSchedule: "missing-schedule",
  /** Error: a path that does not start with `/`, has an empty segment or a malformed parameter. */
  invalidPath: "invalid-path",
  /** Error: two routes with the same method and shape, or a WebSocket path shadowing a GET api. */
  routeConflict: "route-conflict",
  /** Error: a path under `/_rohas/` or `/api/workbench/`, which the engine serves itself. */
  reservedPath: "reserved-path",
  /** Error: a cron expression croner rejects, or with the wrong number of fields. */
  invalidCron: "invalid-cron",
  /** Error: a cron `timezone:` that is not an IANA time zone. */
  unknownTimezone: "unknown-timezone",
  /** Error: two definitions whose snake_case names give the same generated file. */
  fileNameConflict: "file-name-conflict",
  /** Error: a handler name that is not an identifier (it names a file and a function). */
  invalidHandlerName: "invalid-handler-name",
  /** Error: a middleware name that is not an identifier. */
  invalidMiddlewareName: "invalid-middleware-name",
  /** Warning: a GET api with a `body:` (browsers' `fetch` cannot send one). */
  bodyOnGet: "body-on-get",
  /** Warning: a handler listed twice in one list. */
  duplicateHandler: "duplicate-handler",
  /** Warning: an event with no handler that no definition triggers. */
  unusedEvent: "unused-event",
  /** Warning: an input or type that nothing refers to. */
  unusedType: "unused-type",
  /** Warning: an event whose `triggers:` lead back to itself, so each occurrence repeats forever. */
  triggerCycle: "trigger-cycle",
  /** Error: an `on handler { … }` block names no handler of its event. */
  unknownFlowHandler: "unknown-flow-handler",
  /** Error: two `on handler { … }` blocks for the same handler of one event. */
  duplicateFlowHandler: "duplicate-flow-handler",
  /** Error: a flow control `by` path that names no scalar field of the event's payload. */
  invalidKeyPath: "invalid-key-path",
  /**
   * Error: `batch` together with `debounce` on one handler (a debounced run has one event), or
   * `ordered: true` with `concurrency` above 1.
   */
  conflictingFlowControls: "conflicting-flow-controls",
} as const;

/** A validation diagnostic code. */
export type ValidationCode = typeof VALIDATION_CODES[keyof typeof VALIDATION_CODES];
