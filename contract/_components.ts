/**
 * What both documents share: the component schemas of every model, type and input, the error body
 * of the engine, and the document's identity (project name and version).
 *
 * @module
 */

import type { Schema } from "../parser/mod.ts";
import {
  byText,
  type JsonSchema,
  namedJsonSchema,
  objectJsonSchema,
  SchemaIndex,
} from "../codegen/mod.ts";

/** The project a document describes. */
export interface DocumentInfo {
  /** `[project] name`. */
  title: string;
  /** `[project] version`. */
  version: string;
}

/** The component name of the engine's error body. */
export const ERROR_SCHEMA = "RohasError";

/** Named types as `$ref`s into `#/components/schemas/`, and every component schema. */
export class Components {
  readonly index: SchemaIndex;
  #schema: Schema;

  /** Indexes the named types of a schema. */
  constructor(schema: Schema) {
    this.#schema = schema;
    this.index = new SchemaIndex(schema);
  }

  /** The JSON Schema of a type name as used in a definition: a primitive, or a `$ref`. */
  of(name: string): JsonSchema {
    return namedJsonSchema(name, { index: this.index, named: ref });
  }

  /** Every model, type and input by name (sorted), plus the error body. */
  schemas(): Record<string, JsonSchema> {
    const shapes = [...this.#schema.models, ...this.#schema.types, ...this.#schema.inputs]
      .sort((a, b) => byText(a.name, b.name));
    const out: Record<string, JsonSchema> = {};
    for (const shape of shapes) {
      out[shape.name] ??= objectJsonSchema(shape.fields, { index: this.index, named: ref });
    }
    out[ERROR_SCHEMA] = ERROR_BODY;
    return out;
  }
}

/** A `$ref` to a component schema. */
export function ref(name: string): JsonSchema {
  return { $ref: `#/components/schemas/${name}` };
}

/** `{"error", "details"?, "trace_id"}`: every error answer of the engine. */
const ERROR_BODY: JsonSchema = {
  type: "object",
  description: "Every error answer: a message, per-field problems when there are, the trace id.",
  properties: {
    error: { type: "string", description: "What went wrong, for people." },
    details: {
      description: "Per-field problems (`[{path, message}]` for a body that does not validate) " +
        "or what the handler attached to its HttpError.",
    },
    trace_id: { type: "string", description: "The request's trace, as in X-Rohas-Trace-Id." },
  },
  required: ["error", "trace_id"],
};

/** Sorted by name, a definition list as a record keyed by `key`. */
export function byName<T extends { name: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => byText(a.name, b.name));
}
