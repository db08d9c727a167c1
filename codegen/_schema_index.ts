/**
 * What a type name in a schema refers to, and where its generated module lives.
 *
 * @module
 */

import type { FieldType, PrimitiveTypeName, Schema } from "../parser/mod.ts";
import { snake } from "./_names.ts";

/** A resolved type name: a primitive, a model, a DTO (`input` or `type`), or nothing known. */
export type TypeRef =
  | { kind: "primitive"; name: PrimitiveTypeName }
  | { kind: "model"; name: string }
  | { kind: "dto"; name: string }
  | { kind: "unknown"; name: string };

const PRIMITIVES: Readonly<Record<string, PrimitiveTypeName>> = {
  Int: "Int",
  Float: "Float",
  String: "String",
  Boolean: "Boolean",
  Bool: "Boolean",
  DateTime: "DateTime",
  Date: "DateTime",
  Json: "Json",
};

/** Lookup of every named type of a schema. */
export class SchemaIndex {
  #models = new Set<string>();
  #dtos = new Set<string>();

  /** Indexes the models, inputs and types of a schema. */
  constructor(schema: Schema) {
    for (const model of schema.models) this.#models.add(model.name);
    for (const dto of [...schema.types, ...schema.inputs]) this.#dtos.add(dto.name);
  }

  /** Resolves a type name as written in `body:`, `response:`, `payload:`, `message:` or a field. */
  resolve(name: string): TypeRef {
    const primitive = PRIMITIVES[name];
    if (primitive !== undefined) return { kind: "primitive", name: primitive };
    if (this.#models.has(name)) return { kind: "model", name };
    if (this.#dtos.has(name)) return { kind: "dto", name };
    return { kind: "unknown", name };
  }
}

/** The module of a named type, relative to `generated/`, without extension: `models/user`. */
export function typeModule(ref: TypeRef & { kind: "model" | "dto" }): string {
  return `${ref.kind === "model" ? "models" : "dto"}/${snake(ref.name)}`;
}

/** Every custom type name a field type mentions. */
export function customNames(type: FieldType): string[] {
  if (typeof type === "string") return [];
  if ("Array" in type) return customNames(type.Array);
  return [type.Custom];
}

/** Sorts strings by UTF-16 code units, the same everywhere (not locale-dependent). */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The imports of one generated module: module to imported name to local name. Names that clash with
 * the module's own declarations get an alias.
 */
export class ImportSet {
  #modules = new Map<string, Map<string, string>>();
  #taken: Set<string>;

  /** Creates an empty set; `declared` are the names the module itself declares. */
  constructor(declared: Iterable<string>) {
    this.#taken = new Set(declared);
  }

  /** Records an import and returns the local name to use for it. */
  add(module: string, name: string): string {
    let names = this.#modules.get(module);
    if (!names) this.#modules.set(module, names = new Map());
    const existing = names.get(name);
    if (existing !== undefined) return existing;
    let local = name;
    while (this.#taken.has(local)) local = `${local}Type`;
    this.#taken.add(local);
    names.set(name, local);
    return local;
  }

  /** The imports, sorted by module then name. */
  entries(): { module: string; names: { name: string; local: string }[] }[] {
    return [...this.#modules.keys()].sort(byText).map((module) => ({
      module,
      names: [...this.#modules.get(module)!].map(([name, local]) => ({ name, local })).sort((
        a,
        b,
      ) => byText(a.name, b.name)),
    }));
  }
}
