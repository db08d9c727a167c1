/**
 * The stable codes of the diagnostics the parser reports. Tools and tests match on these, never on
 * message text.
 *
 * @module
 */

/**
 * Every code the parser (scanner, parser and file loading) reports; all are errors.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { PARSE_CODES } from "./codes.ts";
 * import { parseSchema } from "./parse.ts";
 * const [d] = parseSchema("api A { method: get }").diagnostics;
 * assertEquals(d?.code, PARSE_CODES.syntaxError);
 * ```
 */
export const PARSE_CODES = {
  /** A token the grammar does not allow here: `Syntax error at line L, column C: expected …`. */
  syntaxError: "syntax-error",
  /** Characters that start no token: `Syntax error at line L, column C: unexpected character '#'`. */
  invalidCharacter: "invalid-character",
  /** A `"` without its closing quote before the end of the file (strings have no escapes). */
  unterminatedString: "unterminated-string",
  /** A block comment without its closing `*` `/` before the end of the file. */
  unterminatedComment: "unterminated-comment",
  /** An `api` without `method:`, `path:` or `response:`, or a `ws` without `path:`. */
  missingProperty: "missing-property",
  /** An event `type:` other than `sqs` or `eventbridge` (in any case). */
  invalidEventType: "invalid-event-type",
  /** A flow control value out of range: a count that is not a positive integer, a priority outside
   * 0-9, a duration that is zero or has an unknown unit, `ordered` other than true or false. */
  invalidFlowControl: "invalid-flow-control",
  /** A key in an `on handler { … }` block that is no flow control (with a did-you-mean). */
  unknownFlowControl: "unknown-flow-control",
  /** `parseDirectory` was given a path that does not exist: `Schema path not found: <path>`. */
  schemaPathNotFound: "schema-path-not-found",
  /** `parseDirectory` found no `*.ro` file: `No .ro files found in <dir>`. */
  noSchemaFiles: "no-schema-files",
  /** A schema file or directory exists but could not be read: `IO error: …`. */
  readError: "read-error",
} as const;

/** One of the parser's diagnostic codes. */
export type ParseCode = typeof PARSE_CODES[keyof typeof PARSE_CODES];
