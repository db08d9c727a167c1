/**
 * Printing diagnostics for people: `file:line:col: error[code]: message`, the source line, and a
 * caret line under the offending text. Shared by `validate`, `list-*` and the commands that parse
 * before they run (`dev`, `start`, `codegen`).
 *
 * @module
 */

import { isAbsolute, relative } from "node:path";
import type { Diagnostic } from "../parser/mod.ts";

/** Options of {@linkcode formatDiagnostics}. */
export interface FormatDiagnosticsOptions {
  /** Source text by the file name the diagnostics carry; a missing file prints no source line. */
  sources: ReadonlyMap<string, string>;
  /** Paths are shown relative to this directory when inside it. Default: shown as carried. */
  cwd?: string;
}

/**
 * Formats diagnostics in their given order, each followed by its source line and carets, then a
 * summary line (`2 errors, 1 warning`). Returns `""` for no diagnostics.
 *
 * @param diagnostics the diagnostics, already sorted
 * @param options the source texts and the directory paths are shown relative to
 * @returns the text, ending with a newline
 */
export function formatDiagnostics(
  diagnostics: readonly Diagnostic[],
  options: FormatDiagnosticsOptions,
): string {
  if (diagnostics.length === 0) return "";
  const blocks = diagnostics.map((diagnostic) =>
    formatDiagnostic(diagnostic, options.sources.get(diagnostic.file) ?? null, options.cwd)
  );
  return blocks.join("\n") + "\n" + summarize(diagnostics) + "\n";
}

/** `2 errors, 1 warning`; `0 errors` for none.
 *
 * @param diagnostics the diagnostics
 * @returns the summary line without a newline
 */
export function summarize(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const parts = [];
  if (errors > 0 || warnings === 0) parts.push(plural(errors, "error"));
  if (warnings > 0) parts.push(plural(warnings, "warning"));
  return parts.join(", ");
}

/** A path as shown to the user: relative to `cwd` when inside it, else as given.
 *
 * @param path the path
 * @param cwd the working directory, if any
 * @returns the display path
 */
export function displayPath(path: string, cwd: string | undefined): string {
  if (cwd === undefined || !isAbsolute(path)) return path;
  const inside = relative(cwd, path);
  return inside === "" ? "." : inside.startsWith("..") || isAbsolute(inside) ? path : inside;
}

function formatDiagnostic(diagnostic: Diagnostic, source: string | null, cwd?: string): string {
  const { line, column, severity, code, message } = diagnostic;
  const header = `${
    displayPath(diagnostic.file, cwd)
  }:${line}:${column}: ${severity}[${code}]: ${message}\n`;
  const text = source === null ? undefined : source.split(/\r?\n/)[line - 1];
  if (text === undefined) return header;
  const gutter = String(line);
  const pad = " ".repeat(gutter.length);
  return header + `${gutter} | ${text}\n` + `${pad} | ${caretLine(text, diagnostic)}\n`;
}

/** Spaces (tabs where the source has tabs) up to the column, then one caret per character. */
function caretLine(text: string, diagnostic: Diagnostic): string {
  const start = Math.min(Math.max(diagnostic.column - 1, 0), text.length);
  const end = diagnostic.endLine === diagnostic.line
    ? Math.min(Math.max(diagnostic.endColumn - 1, start + 1), Math.max(text.length, start + 1))
    : Math.max(text.length, start + 1);
  const indent = [...text.slice(0, start)].map((c) => (c === "\t" ? "\t" : " ")).join("");
  return indent + "^".repeat(end - start);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
