/**
 * The shared state of one validation run: where diagnostics go and how a node's position is found.
 *
 * @module
 */

import type { DefinitionKind, SchemaLocations, Span } from "./ast.ts";
import type { Diagnostic, Severity } from "./diagnostic.ts";
import { diagnosticAt } from "./diagnostic.ts";

/** The word the original uses for each kind in messages (`Duplicate definition: Model 'User'`). */
export const KIND_LABELS = {
  model: "Model",
  type: "Type",
  input: "Input",
  api: "API",
  event: "Event",
  cron: "Cron",
  ws: "WebSocket",
} as const satisfies Record<DefinitionKind, string>;

/** Collects diagnostics and resolves positions, falling back to line 1 column 1 of the file. */
export class ValidationContext {
  readonly #locations: SchemaLocations | undefined;
  readonly #file: string;
  readonly #diagnostics: Diagnostic[] = [];

  constructor(locations: SchemaLocations | undefined, file: string) {
    this.#locations = locations;
    this.#file = file;
  }

  /** Every diagnostic reported so far, in report order. */
  get diagnostics(): Diagnostic[] {
    return this.#diagnostics;
  }

  error(span: Span, code: string, message: string): void {
    this.#report(span, code, "error", message);
  }

  warning(span: Span, code: string, message: string): void {
    this.#report(span, code, "warning", message);
  }

  /** The span of a node's name, or of the whole node, or the file's start. */
  nameSpan(node: object): Span {
    const location = this.#locations?.get(node);
    return location?.name ?? location?.span ?? this.#fallback();
  }

  /** The span of a property's value as last written, or the node's name. */
  propertySpan(node: object, key: string): Span {
    return this.#locations?.get(node)?.properties[key] ?? this.nameSpan(node);
  }

  /** The span of one item of a list property, or the property's value, or the node's name. */
  itemSpan(node: object, key: string, index: number): Span {
    const items = this.#locations?.get(node)?.items[key];
    return items?.[index] ?? this.propertySpan(node, key);
  }

  #report(span: Span, code: string, severity: Severity, message: string): void {
    this.#diagnostics.push(diagnosticAt(span, { code, severity, message }));
  }

  #fallback(): Span {
    return {
      file: this.#file,
      line: 1,
      column: 1,
      endLine: 1,
      endColumn: 1,
      offset: 0,
      endOffset: 0,
    };
  }
}
