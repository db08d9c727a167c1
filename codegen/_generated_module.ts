/**
 * What a generated module of either language shares: the imports it collects, and how schema type
 * names and field types resolve to that language's types (a primitive, an imported generated type,
 * or the "unknown" type).
 *
 * @module
 */

import type { FieldType, PrimitiveTypeName } from "../parser/mod.ts";
import { ImportSet, type SchemaIndex, typeModule } from "./_schema_index.ts";

/** The options of a generated module: the names it declares and the type it defines, if any. */
export interface GeneratedModuleOptions {
  /** Names the module declares itself, so imports of the same name get an alias. */
  declared: string[];
  /** The type the module defines, referred to by name instead of imported. */
  self?: string;
}

/** A module under `generated/`; `dir` is its folder (`models`, `api`..., `""` for the top). */
export abstract class GeneratedModule {
  /** The generated types this module imports. */
  readonly imports: ImportSet;
  #dir: string;
  #index: SchemaIndex;
  #self: string | null;

  /** Creates a module in `dir` that declares `options.declared`. */
  constructor(dir: string, index: SchemaIndex, options: GeneratedModuleOptions) {
    this.#dir = dir;
    this.#index = index;
    this.#self = options.self ?? null;
    this.imports = new ImportSet(options.declared);
  }

  /** The folder of this module under `generated/`. */
  get dir(): string {
    return this.#dir;
  }

  /** The language's type for a schema type name, importing a generated type when needed. */
  named(name: string): string {
    const ref = this.#index.resolve(name);
    switch (ref.kind) {
      case "primitive":
        return this.primitive(ref.name);
      case "model":
      case "dto": {
        const module = typeModule(ref);
        if (ref.name === this.#self && module.startsWith(`${this.#dir}/`)) return ref.name;
        return this.imports.add(this.specifier(module), ref.name);
      }
      case "unknown":
        return this.unknownType();
    }
  }

  /** The language's type for a field type. */
  field(type: FieldType): string {
    if (typeof type === "string") return this.primitive(type);
    if ("Array" in type) return this.array(this.field(type.Array));
    return this.named(type.Custom);
  }

  /** The language's type of a primitive. */
  protected abstract primitive(name: PrimitiveTypeName): string;
  /** The language's list of `item`. */
  protected abstract array(item: string): string;
  /** The language's type for a name the schema does not define. */
  protected abstract unknownType(): string;
  /** The import specifier of a generated module (`models/user`) seen from this module. */
  protected abstract specifier(module: string): string;
}

/** `A` or `A as B`: one imported name as an import line lists it. */
export function importedName(entry: { name: string; local: string }): string {
  return entry.name === entry.local ? entry.name : `${entry.name} as ${entry.local}`;
}
