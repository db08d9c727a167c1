/**
 * Schema validation: the reference, route, cron and name checks the parser leaves out (docs/design.md#d1-parser), reporting every problem at once with its position. `rohas validate` and engine start-up run
 * it after parsing.
 *
 * @module
 */

import type { Schema, SchemaLocations } from "./ast.ts";
import type { Diagnostic } from "./diagnostic.ts";
import { compareDiagnostics } from "./diagnostic.ts";
import { ValidationContext } from "./_validate_context.ts";
import { checkCrons } from "./_validate_cron.ts";
import { checkFlowControls } from "./_validate_flow.ts";
import { checkDuplicates, checkFileNames, checkHandlerNames } from "./_validate_names.ts";
import { checkPaths } from "./_validate_paths.ts";
import {
  checkRequiredProperties,
  checkTriggerReferences,
  checkTypeReferences,
} from "./_validate_references.ts";
import {
  warnBodyOnGet,
  warnTriggerCycles,
  warnUnusedEvents,
  warnUnusedTypes,
} from "./_validate_warnings.ts";

export { VALIDATION_CODES } from "./_validate_codes.ts";
export type { ValidationCode } from "./_validate_codes.ts";

/** Options of {@linkcode validateSchema}. */
export interface ValidateOptions {
  /** Positions from the parser. Default: none, every diagnostic is placed at line 1 column 1. */
  locations?: SchemaLocations;
  /** The file named by diagnostics of nodes without a location. Default `"<schema>"`. */
  file?: string;
}

/**
 * Checks a parsed schema and returns every problem, sorted by file, line, column and code.
 *
 * Errors are what would break the app at run time: duplicate names (one namespace for every
 * kind), names that give the same generated file, undefined types and events, a missing event
 * payload or cron schedule, invalid, conflicting or reserved paths, invalid cron expressions and
 * time zones, handler and middleware names that are not identifiers. Warnings: an event nothing
 * handles or triggers, an unused input or type, an event trigger cycle, a handler listed twice, a
 * GET api with a body. See `VALIDATION_CODES`.
 *
 * @param schema the schema, as parsed or built by hand
 * @param options positions and the fallback file name
 * @returns the diagnostics; empty when the schema is valid
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { emptySchema } from "./ast.ts";
 * import { validateSchema } from "./validate.ts";
 * const schema = emptySchema();
 * schema.models.push({ name: "User", fields: [], attributes: [] });
 * schema.models.push({ name: "User", fields: [], attributes: [] });
 * const [diagnostic] = validateSchema(schema);
 * assertEquals(diagnostic?.message, "Duplicate definition: Model 'User'");
 * ```
 */
export function validateSchema(schema: Schema, options: ValidateOptions = {}): Diagnostic[] {
  const context = new ValidationContext(options.locations, options.file ?? "<schema>");
  checkDuplicates(schema, context);
  checkFileNames(schema, context);
  checkTypeReferences(schema, context);
  checkTriggerReferences(schema, context);
  checkRequiredProperties(schema, context);
  checkPaths(schema, context);
  checkCrons(schema, context);
  checkHandlerNames(schema, context);
  checkFlowControls(schema, context);
  warnUnusedEvents(schema, context);
  warnUnusedTypes(schema, context);
  warnTriggerCycles(schema, context);
  warnBodyOnGet(schema, context);
  return context.diagnostics.toSorted(compareDiagnostics);
}
