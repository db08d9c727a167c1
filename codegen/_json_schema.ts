/**
 * Schema types as JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1 and AsyncAPI 3.0): the one
 * mapping of `.ro` types to JSON Schema, shared by the contract documents and the workbench.
 *
 * @module
 */

import type { Field, FieldType, PrimitiveTypeName } from "../parser/mod.ts";
import type { SchemaIndex } from "./_schema_index.ts";

/** A JSON Schema object. */
export type JsonSchema = Record<string, unknown>;

/** How each primitive travels as JSON. `Json` is any JSON value. */
export const PRIMITIVE_JSON_SCHEMA: Readonly<Record<PrimitiveTypeName, Readonly<JsonSchema>>> = {
  Int: { type: "integer" },
  Float: { type: "number" },
  String: { type: "string" },
  Boolean: { type: "boolean" },
  DateTime: { type: "string", format: "date-time" },
  Json: {},
};

/** How a named model or DTO is written where it is used: a `$ref`, or expanded in place. */
export type NamedSchema = (name: string) => JsonSchema;

/** The JSON Schema of a type name as written in `body:`, `response:`, `payload:` or `message:`.
 *
 * @param name the type name
 * @param options the schema's type index and how named types are written
 * @returns the JSON Schema; a name the schema does not define is any value (`{}`)
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { SchemaIndex } from "./_schema_index.ts";
 * import { emptySchema } from "../parser/ast.ts";
 * const index = new SchemaIndex(emptySchema());
 * const s = namedJsonSchema("Int", { index, named: (n) => ({ $ref: n }) });
 * assertEquals(s.type, "integer");
 * ```
 */
export function namedJsonSchema(
  name: string,
  options: { index: SchemaIndex; named: NamedSchema },
): JsonSchema {
  const ref = options.index.resolve(name);
  switch (ref.kind) {
    case "primitive":
      return { ...PRIMITIVE_JSON_SCHEMA[ref.name] };
    case "model":
    case "dto":
      return options.named(ref.name);
    case "unknown":
      return {};
  }
}

/** The JSON Schema of a field type (arrays of their items).
 *
 * @param type the field type
 * @param options the schema's type index and how named types are written
 * @returns the JSON Schema
 */
export function fieldJsonSchema(
  type: FieldType,
  options: { index: SchemaIndex; named: NamedSchema },
): JsonSchema {
  if (typeof type === "string") return { ...PRIMITIVE_JSON_SCHEMA[type] };
  if ("Array" in type) return { type: "array", items: fieldJsonSchema(type.Array, options) };
  return namedJsonSchema(type.Custom, options);
}

/** The JSON Schema of a model, type or input: an object whose optional fields may be absent or
 * null, and whose other fields are required.
 *
 * @param fields the fields in declaration order
 * @param options the schema's type index and how named types are written
 * @returns the object schema
 */
export function objectJsonSchema(
  fields: readonly Field[],
  options: { index: SchemaIndex; named: NamedSchema },
): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const field of fields) {
    const schema = fieldJsonSchema(field.field_type, options);
    properties[field.name] = field.optional ? { anyOf: [schema, { type: "null" }] } : schema;
  }
  const required = fields.filter((f) => !f.optional).map((f) => f.name);
  return { type: "object", properties, ...(required.length > 0 ? { required } : {}) };
}
