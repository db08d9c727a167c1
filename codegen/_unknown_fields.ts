/**
 * Unknown-field checks, for `[server] unknown_fields = "reject"`: one checker per model, type and
 * input listing every key a value has that its type does not declare, at any depth (nested
 * objects, array items). Kept apart from the compiled validators, which accept extra keys as
 * pydantic does by default (the original Rohas validated with pydantic), so the default costs
 * nothing and `generated/validators.ts` is the same either way.
 *
 * @module
 */

import type { FieldType, Schema } from "../parser/mod.ts";
import { SchemaIndex } from "./_schema_index.ts";
import type { ValidationIssue, Validator } from "./validators.ts";

/** The key of a type's unknown-field checker in a validator table.
 *
 * @param type a model, type or input name
 * @returns the key, which no schema name can spell
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { unknownFieldsKey } from "./_unknown_fields.ts";
 * assertEquals(unknownFieldsKey("Task"), "Task#unknown_fields");
 * ```
 */
export function unknownFieldsKey(type: string): string {
  return `${type}#unknown_fields`;
}

/** Builds the unknown-field checker of every model, type and input.
 *
 * @param schema the parsed schema
 * @returns checkers keyed by {@linkcode unknownFieldsKey}
 */
export function unknownFieldCheckers(schema: Schema): Map<string, Validator> {
  const index = new SchemaIndex(schema);
  const shapes = new Map<string, Map<string, FieldType>>();
  for (const shape of [...schema.models, ...schema.types, ...schema.inputs]) {
    if (shapes.has(shape.name)) continue;
    shapes.set(shape.name, new Map(shape.fields.map((f) => [f.name, f.field_type])));
  }
  const walker = new Walker(shapes, index);
  const checkers = new Map<string, Validator>();
  for (const name of shapes.keys()) {
    checkers.set(unknownFieldsKey(name), (value) => {
      const out: ValidationIssue[] = [];
      walker.shape(name, value, "", out);
      return out;
    });
  }
  return checkers;
}

class Walker {
  readonly #shapes: Map<string, Map<string, FieldType>>;
  readonly #index: SchemaIndex;

  constructor(shapes: Map<string, Map<string, FieldType>>, index: SchemaIndex) {
    this.#shapes = shapes;
    this.#index = index;
  }

  shape(name: string, value: unknown, path: string, out: ValidationIssue[]): void {
    const fields = this.#shapes.get(name);
    if (fields === undefined || typeof value !== "object" || value === null) return;
    if (Array.isArray(value)) return;
    for (const [key, inner] of Object.entries(value)) {
      const at = path === "" ? key : `${path}.${key}`;
      const type = fields.get(key);
      if (type === undefined) out.push({ path: at, message: `Unknown field "${key}"` });
      else this.field(type, inner, at, out);
    }
  }

  field(type: FieldType, value: unknown, path: string, out: ValidationIssue[]): void {
    if (typeof type === "string") return;
    if ("Array" in type) {
      if (!Array.isArray(value)) return;
      value.forEach((item, i) => this.field(type.Array, item, `${path}[${i}]`, out));
      return;
    }
    const ref = this.#index.resolve(type.Custom);
    if (ref.kind === "model" || ref.kind === "dto") this.shape(ref.name, value, path, out);
  }
}
