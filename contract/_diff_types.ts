/**
 * How a type changed between two schemas, field by field, and what each change means for the side
 * that writes values of the type and the side that reads them.
 *
 * @module
 */

import type { Field, FieldType, Schema } from "../parser/mod.ts";
import { SchemaIndex, type TypeRef } from "../codegen/mod.ts";

/** Where a type is used, which decides who a change breaks. */
export type TypeArea = "request" | "response" | "payload" | "message";

/** What happened to a type or one of its fields. */
export type TypeChange =
  | "field_added_required"
  | "field_added_optional"
  | "field_removed"
  | "field_made_optional"
  | "field_made_required"
  | "type_widened"
  | "type_narrowed"
  | "type_changed";

/** Who reads and who writes values of each area's types. */
const AUDIENCE: Record<TypeArea, { writers: string; readers: string }> = {
  request: { writers: "API callers", readers: "the API" },
  response: { writers: "the API", readers: "API callers" },
  payload: { writers: "event producers", readers: "event consumers" },
  message: { writers: "WebSocket clients", readers: "the endpoint" },
};

/** The change breaks the type's writers (they may send what is no longer accepted). */
const BREAKS_WRITERS: ReadonlySet<TypeChange> = new Set([
  "field_added_required",
  "field_made_required",
  "type_narrowed",
  "type_changed",
]);

/** The change breaks the type's readers (they may get what they do not expect). */
const BREAKS_READERS: ReadonlySet<TypeChange> = new Set([
  "field_removed",
  "field_made_optional",
  "type_widened",
  "type_changed",
]);

/** Who a type change breaks in an area; empty when it is safe. Outside parties only: the API and
 * the endpoint are the project itself, whose code is regenerated with the schema. */
export function brokenBy(area: TypeArea, change: TypeChange): string[] {
  const who: string[] = [];
  const { writers, readers } = AUDIENCE[area];
  if (BREAKS_WRITERS.has(change) && writers !== "the API") who.push(writers);
  if (BREAKS_READERS.has(change) && readers !== "the API" && readers !== "the endpoint") {
    who.push(readers);
  }
  return who;
}

/** One type difference found, with the field path and the fields it is about. */
export interface TypeDifference {
  change: TypeChange;
  /** Like `address.street`; `""` for the type itself. */
  path: string;
  /** The old and new types as written. */
  from: string;
  to: string;
  /** The field in the old and new schema, when the difference is about a field. */
  oldField: Field | null;
  newField: Field | null;
}

/** Compares the types two schemas give one use (a body, a response, a payload, a message). */
export class TypeComparer {
  #old: { schema: Schema; index: SchemaIndex };
  #new: { schema: Schema; index: SchemaIndex };

  /** Indexes both schemas. */
  constructor(oldSchema: Schema, newSchema: Schema) {
    this.#old = { schema: oldSchema, index: new SchemaIndex(oldSchema) };
    this.#new = { schema: newSchema, index: new SchemaIndex(newSchema) };
  }

  /** Every difference between type `from` of the old schema and `to` of the new one. */
  compare(from: string, to: string): TypeDifference[] {
    const out: TypeDifference[] = [];
    this.#named(from, to, { path: "", fields: [null, null], seen: new Set(), out });
    return out;
  }

  #named(from: string, to: string, at: At): void {
    const a = this.#old.index.resolve(from);
    const b = this.#new.index.resolve(to);
    if (isShape(a) && isShape(b)) {
      const key = `${from}\u0000${to}`;
      if (at.seen.has(key)) return;
      this.#fields(fieldsOf(this.#old.schema, from), fieldsOf(this.#new.schema, to), {
        ...at,
        seen: new Set(at.seen).add(key),
      });
      return;
    }
    const relation = primitiveRelation(a, b);
    if (relation !== null) at.out.push(difference(relation, at, { from, to }));
  }

  #fields(before: Field[], after: Field[], at: At): void {
    const next = new Map(after.map((f) => [f.name, f]));
    for (const old of before) {
      const path = at.path === "" ? old.name : `${at.path}.${old.name}`;
      const now = next.get(old.name);
      const here = { ...at, path, fields: [old, now ?? null] as Pair };
      if (now === undefined) {
        at.out.push(difference("field_removed", here, { from: typeText(old.field_type), to: "" }));
        continue;
      }
      if (old.optional !== now.optional) {
        const change = now.optional ? "field_made_optional" : "field_made_required";
        at.out.push(
          difference(change, here, {
            from: typeText(old.field_type),
            to: typeText(now.field_type),
          }),
        );
      }
      this.#fieldType(old.field_type, now.field_type, here);
    }
    const previous = new Set(before.map((f) => f.name));
    for (const added of after.filter((f) => !previous.has(f.name))) {
      const path = at.path === "" ? added.name : `${at.path}.${added.name}`;
      const change = added.optional ? "field_added_optional" : "field_added_required";
      at.out.push(
        difference(change, { ...at, path, fields: [null, added] }, {
          from: "",
          to: typeText(added.field_type),
        }),
      );
    }
  }

  #fieldType(a: FieldType, b: FieldType, at: At): void {
    const aArray = typeof a === "object" && "Array" in a;
    const bArray = typeof b === "object" && "Array" in b;
    if (aArray && bArray) return this.#fieldType(a.Array, b.Array, at);
    if (aArray !== bArray) {
      const isJson = b === "Json";
      at.out.push(
        difference(isJson ? "type_widened" : "type_changed", at, {
          from: typeText(a),
          to: typeText(b),
        }),
      );
      return;
    }
    this.#named(typeText(a), typeText(b), at);
  }
}

type Pair = [Field | null, Field | null];

interface At {
  path: string;
  fields: Pair;
  seen: Set<string>;
  out: TypeDifference[];
}

function difference(
  change: TypeChange,
  at: At,
  types: { from: string; to: string },
): TypeDifference {
  const { from, to } = types;
  return { change, path: at.path, from, to, oldField: at.fields[0], newField: at.fields[1] };
}

function isShape(ref: TypeRef): boolean {
  return ref.kind === "model" || ref.kind === "dto";
}

function fieldsOf(schema: Schema, name: string): Field[] {
  return [...schema.inputs, ...schema.models, ...schema.types].find((d) => d.name === name)
    ?.fields ?? [];
}

/** How the values of type `b` relate to those of `a`: null when they are the same set. */
function primitiveRelation(a: TypeRef, b: TypeRef): TypeChange | null {
  const [x, y] = [primitiveOf(a), primitiveOf(b)];
  if (x === y) return null;
  if (y === "Json") return "type_widened";
  if (x === "Json") return "type_narrowed";
  if (x === "Int" && y === "Float") return "type_widened";
  if (x === "Float" && y === "Int") return "type_narrowed";
  if (x === "DateTime" && y === "String") return "type_widened";
  if (x === "String" && y === "DateTime") return "type_narrowed";
  return "type_changed";
}

/** A primitive's name; a named shape or unknown name stands for itself (`model:User`). */
function primitiveOf(ref: TypeRef): string {
  // A name the schema does not define is any value, as in the documents and the engine.
  if (ref.kind === "unknown") return "Json";
  return ref.kind === "primitive" ? ref.name : `${ref.kind}:${ref.name}`;
}

/** A field type as written: `String`, `User`, `Int[]`. */
export function typeText(type: FieldType): string {
  if (typeof type === "string") return type;
  if ("Array" in type) return `${typeText(type.Array)}[]`;
  return type.Custom;
}
