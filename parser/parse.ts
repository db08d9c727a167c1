/**
 * Parsing `.ro` source text into a {@linkcode Schema}, collecting every problem as a diagnostic.
 *
 * @module
 */

import { emptySchema, type NodeLocation, type Schema, type SchemaLocations } from "./ast.ts";
import type { Diagnostic } from "./diagnostic.ts";
import { parseInto } from "./_parser.ts";

/** Options of {@linkcode parseSchema}. */
export interface ParseOptions {
  /** The file name that diagnostics and spans carry. Default `"<input>"`. */
  file?: string;
}

/** The outcome of a parse: the schema (every definition that could be built), the problems found,
 * and where each definition and field is written.
 *
 * Positions are 1-based; lines are separated by LF (a CR before it belongs to the line), columns
 * count UTF-16 code units (what JavaScript string indexes count), so a caret printed under
 * `line.slice(column - 1)` lands on the right character.
 */
export interface ParseResult {
  /** Every definition that could be built. */
  schema: Schema;
  /** The syntax problems found, in source order. */
  diagnostics: Diagnostic[];
  /** Where each definition and field is written. */
  locations: SchemaLocations;
}

/** A schema file given by content. */
export interface SourceFile {
  /** The file name that diagnostics and spans carry. */
  path: string;
  /** The `.ro` text. */
  source: string;
}

/** Parses one `.ro` source. Never throws: syntax errors, missing required properties and invalid
 * event types become diagnostics, parsing resumes after each, and every definition that could be
 * built is in the schema. References, duplicates and cron expressions are not checked here (that
 * is validation's job).
 *
 * @param source the `.ro` text
 * @param options the file name for positions
 * @returns the schema, the diagnostics ordered by position, and the locations of nodes
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { parseSchema } from "./parse.ts";
 * const { schema, diagnostics } = parseSchema(
 *   'api Health { method: GET path: "/health" response: String }',
 *   { file: "health.ro" },
 * );
 * assertEquals(diagnostics.length, 0);
 * assertEquals(schema.apis[0]?.path, "/health");
 * ```
 */
export function parseSchema(source: string, options: ParseOptions = {}): ParseResult {
  return parseFiles([{ path: options.file ?? "<input>", source }]);
}

/** Parses several sources into one schema, concatenating each list in the given file order.
 *
 * @param files the sources, each with the path its diagnostics carry
 * @returns the merged schema, every file's diagnostics (file by file, each ordered by position),
 *   and the locations of nodes
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { parseFiles } from "./parse.ts";
 * const { schema } = parseFiles([
 *   { path: "a.ro", source: "model A {}" },
 *   { path: "b.ro", source: "model B {}" },
 * ]);
 * assertEquals(schema.models.map((m) => m.name).join(), "A,B");
 * ```
 */
export function parseFiles(files: readonly SourceFile[]): ParseResult {
  const target = { schema: emptySchema(), locations: new WeakMap<object, NodeLocation>() };
  const diagnostics: Diagnostic[] = [];
  for (const file of files) diagnostics.push(...parseInto(file.source, file.path, target));
  return { schema: target.schema, diagnostics, locations: target.locations };
}
