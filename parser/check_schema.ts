/**
 * The one rule every path that reads a schema follows (`rohas validate`, `dev`, `start`,
 * `createApp`, `cron run`): the parse diagnostics and the validation diagnostics, together.
 *
 * @module
 */

import { compareDiagnostics, type Diagnostic } from "./diagnostic.ts";
import type { ParseResult } from "./parse.ts";
import { validateSchema } from "./validate.ts";

/**
 * Every diagnostic of a parsed schema: the parser's, then validation of what it recovered, sorted
 * by file, line, column and code. Validation runs after parse errors too, so one run reports every
 * problem; the parser keeps the definitions it recovered, so few of them are echoes.
 *
 * @param parsed the result of `parseFiles`, `parseSchema` or `parseDirectory`
 * @returns parse and validation diagnostics, errors and warnings, sorted
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { checkSchema, parseSchema } from "./mod.ts";
 * const parsed = parseSchema('model User {\n  id Int @id\n  name String @@@\n}\napi GetUser {\n  method: GET\n  path: "/u"\n  response: Missing\n}\n');
 * const codes = checkSchema(parsed).map((d) => d.severity);
 * assert(codes.filter((s) => s === "error").length >= 2);
 * ```
 */
export function checkSchema(
  parsed: Pick<ParseResult, "schema" | "diagnostics" | "locations">,
): Diagnostic[] {
  const validation = validateSchema(parsed.schema, { locations: parsed.locations });
  return [...parsed.diagnostics, ...validation].sort(compareDiagnostics);
}
