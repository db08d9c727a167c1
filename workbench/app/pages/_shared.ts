/// <reference lib="dom" />
/**
 * Helpers shared by pages: example values from JSON Schema, error boxes, the endpoints cache.
 *
 * @module
 */

import { api } from "../api.ts";
import { h } from "../dom.ts";
import type { Endpoints, JsonSchema } from "../types.ts";

/** A page: its element and an optional cleanup run when navigating away. */
export interface Page {
  el: HTMLElement;
  cleanup?: () => void;
}

/** An example value of a JSON Schema, to seed editors. */
export function example(schema: JsonSchema): unknown {
  switch (schema.type) {
    case "string":
      return schema.format === "date-time" ? new Date().toISOString() : "string";
    case "integer":
      return 0;
    case "number":
      return 0.5;
    case "boolean":
      return false;
    case "array":
      return schema.items ? [example(schema.items)] : [];
    default:
      if (!schema.properties) return {};
      return Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, example(v)]));
  }
}

/** The seeded JSON text for a type name, or `{}`. */
export async function seed(typeName: string | null): Promise<string> {
  if (!typeName) return "{}";
  try {
    return JSON.stringify(
      example(await api<JsonSchema>(`types/${encodeURIComponent(typeName)}`)),
      null,
      2,
    );
  } catch {
    return "{}";
  }
}

/** An error box. */
export function errorBox(error: unknown): HTMLElement {
  return h("div", { class: "error", role: "alert" }, (error as Error).message ?? String(error));
}

/** Fetches `/endpoints`. */
export function endpoints(): Promise<Endpoints> {
  return api<Endpoints>("endpoints");
}

/** A titled section. */
export function section(title: string, ...children: (Node | string)[]): HTMLElement {
  return h("section", { class: "card" }, h("h2", {}, title), ...children);
}

/** A link to a trace. */
export function traceLink(id: string | null | undefined): HTMLElement | string {
  return id
    ? h("a", { href: `#/traces/${id}`, class: "mono", "data-testid": "trace-link" }, id.slice(0, 8))
    : "";
}

/** Each middleware of the schema with the APIs and WebSockets it guards, in schema order. */
export function middlewareGuards(
  endpoints: Endpoints,
): Map<string, { apis: string[]; websockets: string[] }> {
  const guards = new Map<string, { apis: string[]; websockets: string[] }>();
  const entry = (name: string) => {
    const found = guards.get(name) ?? { apis: [], websockets: [] };
    guards.set(name, found);
    return found;
  };
  for (const a of endpoints.apis) for (const m of a.middlewares) entry(m).apis.push(a.name);
  for (const w of endpoints.websockets) {
    for (const m of w.middlewares) entry(m).websockets.push(w.name);
  }
  return guards;
}
