/**
 * Diagnostics: every problem the parser or the validator finds, with its position.
 *
 * @module
 */

import type { Span } from "./ast.ts";

/** How serious a diagnostic is: errors break the app at run time, warnings do not. */
export type Severity = "error" | "warning";

/**
 * One problem found in a schema. `line`/`column` are 1-based; `endLine`/`endColumn` point just past
 * the offending text. `code` is stable across releases (tests and tools match on it, never on
 * `message`); `message` uses the original Rohas wording where one exists, for example
 * `Syntax error at line 3, column 11: expected one of GET, POST, PUT, PATCH, DELETE`.
 */
export interface Diagnostic {
  /** A stable code such as `syntax-error` or `undefined-type`; match on this, not on `message`. */
  code: string;
  /** Whether it breaks the app (`error`) or not (`warning`). */
  severity: Severity;
  /** The text for people, in the original's wording where one exists. */
  message: string;
  /** The file the problem is in. */
  file: string;
  /** The 1-based line where the problem starts. */
  line: number;
  /** The 1-based column where the problem starts. */
  column: number;
  /** The 1-based line just past the problem. */
  endLine: number;
  /** The 1-based column just past the problem. */
  endColumn: number;
}

/** Builds a diagnostic at a span.
 *
 * @param span where the problem is
 * @param fields the code, severity and message
 * @returns the diagnostic
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { diagnosticAt } from "./diagnostic.ts";
 * const span = { file: "a.ro", line: 1, column: 1, endLine: 1, endColumn: 2, offset: 0, endOffset: 1 };
 * const d = diagnosticAt(span, { code: "syntax-error", severity: "error", message: "Oops" });
 * assertEquals(d.line, 1);
 * ```
 */
export function diagnosticAt(
  span: Span,
  fields: Pick<Diagnostic, "code" | "severity" | "message">,
): Diagnostic {
  return {
    ...fields,
    file: span.file,
    line: span.line,
    column: span.column,
    endLine: span.endLine,
    endColumn: span.endColumn,
  };
}

/** Orders diagnostics by file, line, column, then code, for deterministic output.
 *
 * @param a first diagnostic
 * @param b second diagnostic
 * @returns negative, zero or positive as for `Array.prototype.sort`
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { compareDiagnostics } from "./diagnostic.ts";
 * assertEquals(typeof compareDiagnostics, "function");
 * ```
 */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.line !== b.line) return a.line - b.line;
  if (a.column !== b.column) return a.column - b.column;
  return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}
