/**
 * The stable codes of the diagnostics the parser reports. Tools and tests match on these, never on
 * message text.
 *
 * @module
 */

/**
 * Every diagnostic code the parser (scanner, parser and file loading) can report:
 *
 * - `syntax-error`: a token the grammar does not allow here (`Syntax error at line L, column C: expected …`).
 * - `invalid-character`: a character that starts no token (`unexpected character '#'`).
 * - `unterminated-string`: a `"` without its closing quote before the end of the file.
 * - `unterminated-comment`: a `/*` without its closing `*\/` before the end of the file.
 * - `missing-property`: an `api` without `method:`, `path:` or `response:`, or a `ws` without `path:`.
 * - `invalid-event-type`: an event `type:` other than `sqs` or `eventbridge` (any case).
 * - `schema-path-not-found`: `parseDirectory` was given a path that does not exist.
 * - `no-schema-files`: `parseDirectory` found no `*.ro` file below the directory.
 * - `read-error`: a schema file or directory exists but could not be read.
 *
 * @example
 * ```ts
 * import { ParseCode } from "./codes.ts";
 * console.assert(ParseCode.SyntaxError === "syntax-error");
 * ```
 */
export const ParseCode = {
  SyntaxError: "syntax-error",
  InvalidCharacter: "invalid-character",
  UnterminatedString: "unterminated-string",
  UnterminatedComment: "unterminated-comment",
  MissingProperty: "missing-property",
  InvalidEventType: "invalid-event-type",
  SchemaPathNotFound: "schema-path-not-found",
  NoSchemaFiles: "no-schema-files",
  ReadError: "read-error",
} as const;

/** One of the parser's diagnostic codes. */
export type ParseCode = typeof ParseCode[keyof typeof ParseCode];
