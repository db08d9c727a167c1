/**
 * The breaking-change check: every difference between two versions of a schema that the project's
 * API callers, WebSocket clients, or event consumers and producers can notice, each classified as
 * breaking or safe for them, with where it is written.
 *
 * @module
 */

import type { Api, Cron, Event, Schema, SchemaLocations, Span, WebSocket } from "../parser/mod.ts";
import { byText } from "../codegen/mod.ts";
import { brokenBy, type TypeArea, TypeComparer } from "./_diff_types.ts";
import { openApiPath } from "./openapi.ts";

/** One version of a schema, with where its nodes are written. */
export interface SchemaVersion {
  schema: Schema;
  locations: SchemaLocations;
}

/** Whether a change can break someone outside the project. */
export type ChangeSeverity = "breaking" | "safe";

/** Where a change is written: in the new schema, or in the old one for what was removed. */
export interface ChangePosition {
  side: "old" | "new";
  file: string;
  line: number;
  column: number;
}

/** One classified difference. */
export interface SchemaChange {
  /** Such as `api.removed` or `request.field_added_required`. */
  kind: string;
  severity: ChangeSeverity;
  /** Who it breaks (empty when safe), such as `API callers`. */
  breaks: string[];
  /** What changed, for people. */
  message: string;
  position: ChangePosition | null;
}

type Side = "old" | "new";

/** Compares two versions of a schema.
 *
 * @param before the old version
 * @param after the new version
 * @returns the changes, breaking first, then by position
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { parseSchema } from "../parser/mod.ts";
 * const v = parseSchema('api Health { method: GET path: "/health" response: String }');
 * assertEquals(diffSchemas(v, v), []);
 * ```
 */
export function diffSchemas(before: SchemaVersion, after: SchemaVersion): SchemaChange[] {
  const d = new Differ(before, after);
  d.apis();
  d.events();
  d.sockets();
  d.crons();
  return d.sorted();
}

class Differ {
  readonly changes: SchemaChange[] = [];
  readonly old: SchemaVersion;
  readonly new: SchemaVersion;
  readonly types: TypeComparer;

  constructor(before: SchemaVersion, after: SchemaVersion) {
    this.old = before;
    this.new = after;
    this.types = new TypeComparer(before.schema, after.schema);
  }

  add(kind: string, breaks: string[], message: string, at: Where): void {
    const severity = breaks.length > 0 ? "breaking" : "safe";
    this.changes.push({ kind, severity, breaks, message, position: this.position(at) });
  }

  position(at: Where): ChangePosition | null {
    const location = this[at.side].locations.get(at.node);
    const span: Span | undefined = at.property === undefined
      ? location?.span
      : location?.properties[at.property] ?? location?.span;
    if (span === undefined) return null;
    return { side: at.side, file: span.file, line: span.line, column: span.column };
  }

  sorted(): SchemaChange[] {
    const rank = (c: SchemaChange) => c.severity === "breaking" ? 0 : 1;
    const where = (c: SchemaChange) =>
      c.position === null
        ? ""
        : `${c.position.side} ${c.position.file}\u0000${pad(c.position.line)}:${
          pad(c.position.column)
        }`;
    return [...this.changes].sort((a, b) =>
      rank(a) - rank(b) || byText(where(a), where(b)) || byText(a.kind, b.kind) ||
      byText(a.message, b.message)
    );
  }

  /** Compares the types of one use and reports each difference under `area`. */
  typeChanges(area: TypeArea, use: { from: string; to: string; label: string; at: Where }): void {
    for (const diff of this.types.compare(use.from, use.to)) {
      const field = diff.path === "" ? use.label : `${use.label} field "${diff.path}"`;
      const text = describeTypeChange(diff.change, { field, from: diff.from, to: diff.to });
      const node = diff.newField ?? diff.oldField;
      const at: Where = node === null
        ? use.at
        : { side: diff.newField ? "new" : "old", node, property: "type" };
      this.add(`${area}.${diff.change}`, brokenBy(area, diff.change), text, at);
    }
  }

  apis(): void {
    const matched = matchByName(this.old.schema.apis, this.new.schema.apis);
    const renamed = pairRenames(matched, (api) => `${api.method} ${routeShape(api.path)}`);
    for (const [a, b] of renamed) {
      this.add("api.renamed", [], `API "${a.name}" is now "${b.name}" (same route)`, at("new", b));
    }
    for (const a of matched.removed) {
      const what = `API "${a.name}" (${a.method} ${a.path}) was removed`;
      this.add("api.removed", ["API callers"], what, at("old", a));
    }
    for (const b of matched.added) {
      this.add("api.added", [], `API "${b.name}" (${b.method} ${b.path}) was added`, at("new", b));
    }
    for (const [a, b] of [...matched.both, ...renamed]) compareApi(this, a, b);
  }

  events(): void {
    const matched = matchByName(this.old.schema.events, this.new.schema.events);
    const renamed = pairRenames(matched, (e) => e.payload === "" ? null : `payload ${e.payload}`);
    for (const [a, b] of renamed) {
      const what = `Event "${a.name}" is now "${b.name}": its channel changes`;
      this.add("event.renamed", ["event consumers", "event producers"], what, at("new", b));
    }
    for (const a of matched.removed) {
      const what = `Event "${a.name}" was removed`;
      this.add("event.removed", ["event consumers", "event producers"], what, at("old", a));
    }
    for (const b of matched.added) {
      this.add("event.added", [], `Event "${b.name}" was added`, at("new", b));
    }
    for (const [a, b] of [...matched.both, ...renamed]) compareEvent(this, a, b);
  }

  sockets(): void {
    const matched = matchByName(this.old.schema.websockets, this.new.schema.websockets);
    for (const a of matched.removed) {
      const what = `WebSocket "${a.name}" (${a.path}) was removed`;
      this.add("ws.removed", ["WebSocket clients"], what, at("old", a));
    }
    for (const b of matched.added) {
      this.add("ws.added", [], `WebSocket "${b.name}" (${b.path}) was added`, at("new", b));
    }
    for (const [a, b] of matched.both) compareSocket(this, a, b);
  }

  crons(): void {
    const matched = matchByName(this.old.schema.crons, this.new.schema.crons);
    for (const a of matched.removed) {
      for (const event of a.triggers) {
        const what = `Cron "${a.name}" was removed: it no longer publishes "${event}"`;
        this.add("cron.trigger_removed", ["event consumers"], what, at("old", a));
      }
    }
    for (const [a, b] of matched.both) triggerChanges(this, { kind: "cron", a, b });
  }
}

/** A node to point at, and the property whose value to point at. */
export interface Where {
  side: Side;
  node: object;
  property?: string;
}

function at(side: Side, node: object, property?: string): Where {
  return property === undefined ? { side, node } : { side, node, property };
}

function pad(n: number): string {
  return String(n).padStart(6, "0");
}

/** A route with its parameter names left out: `/users/{}`; `{id}` and `:id` read the same. */
export function routeShape(path: string): string {
  return openApiPath(path).replace(/\{[^{}/]+\}/g, "{}");
}

interface Matched<T> {
  both: [T, T][];
  removed: T[];
  added: T[];
}

function matchByName<T extends { name: string }>(before: T[], after: T[]): Matched<T> {
  const next = new Map(after.map((d) => [d.name, d]));
  const previous = new Set(before.map((d) => d.name));
  return {
    both: before.filter((d) => next.has(d.name)).map((d) => [d, next.get(d.name)!]),
    removed: before.filter((d) => !next.has(d.name)),
    added: after.filter((d) => !previous.has(d.name)),
  };
}

/** Pairs a removed and an added definition with the same key (one each) as a rename, and takes
 * them out of `removed` and `added`. */
function pairRenames<T>(matched: Matched<T>, key: (d: T) => string | null): [T, T][] {
  const count = (list: T[], k: string) => list.filter((d) => key(d) === k).length;
  const pairs: [T, T][] = [];
  for (const a of [...matched.removed]) {
    const k = key(a);
    if (k === null || count(matched.removed, k) !== 1 || count(matched.added, k) !== 1) continue;
    const b = matched.added.find((d) => key(d) === k)!;
    pairs.push([a, b]);
    matched.removed.splice(matched.removed.indexOf(a), 1);
    matched.added.splice(matched.added.indexOf(b), 1);
  }
  return pairs;
}

function compareApi(d: Differ, a: Api, b: Api): void {
  const name = `API "${b.name}"`;
  if (a.method !== b.method) {
    const what = `${name} changed method from ${a.method} to ${b.method}`;
    d.add("api.method_changed", ["API callers"], what, at("new", b, "method"));
  }
  if (routeShape(a.path) !== routeShape(b.path)) {
    const what = `${name} moved from "${a.path}" to "${b.path}"`;
    d.add("api.path_changed", ["API callers"], what, at("new", b, "path"));
  } else if (a.path !== b.path) {
    const what = `${name}'s path parameters were renamed ("${a.path}" to "${b.path}")`;
    d.add("api.path_param_renamed", [], what, at("new", b, "path"));
  }
  if (a.body === null && b.body !== null) {
    const what = `${name} now takes a "${b.body}" body`;
    d.add("api.body_added", ["API callers"], what, at("new", b, "body"));
  } else if (a.body !== null && b.body === null) {
    d.add("api.body_removed", [], `${name} no longer reads a body`, at("old", a, "body"));
  } else if (a.body !== null && b.body !== null) {
    const use = { label: `${name}'s body`, at: at("new", b, "body") };
    d.typeChanges("request", { from: a.body, to: b.body, ...use });
  }
  const response = { label: `${name}'s response`, at: at("new", b, "response") };
  d.typeChanges("response", { from: a.response, to: b.response, ...response });
  listChanges(d, { kind: "api", a, b, list: "middlewares" });
  triggerChanges(d, { kind: "api", a, b });
}

function compareEvent(d: Differ, a: Event, b: Event): void {
  if (a.payload !== "" && b.payload !== "") {
    const use = { label: `Event "${b.name}"'s payload`, at: at("new", b, "payload") };
    d.typeChanges("payload", { from: a.payload, to: b.payload, ...use });
  }
  if ((a.adapter_type ?? "sqs") !== (b.adapter_type ?? "sqs")) {
    const what = `Event "${b.name}" is routed through ${b.adapter_type ?? "sqs"} instead of ${
      a.adapter_type ?? "sqs"
    }`;
    d.add("event.route_changed", ["event consumers"], what, at("new", b, "type"));
  }
  listChanges(d, { kind: "event", a, b, list: "handlers" });
  triggerChanges(d, { kind: "event", a, b });
}

function compareSocket(d: Differ, a: WebSocket, b: WebSocket): void {
  const name = `WebSocket "${b.name}"`;
  if (a.path !== b.path) {
    const what = `${name} moved from "${a.path}" to "${b.path}"`;
    d.add("ws.path_changed", ["WebSocket clients"], what, at("new", b, "path"));
  }
  if (a.message === null && b.message !== null) {
    const what = `${name} now checks messages against "${b.message}"`;
    d.add("ws.message_typed", ["WebSocket clients"], what, at("new", b, "message"));
  } else if (a.message !== null && b.message === null) {
    const what = `${name} no longer checks its messages`;
    d.add("ws.message_untyped", [], what, at("old", a, "message"));
  } else if (a.message !== null && b.message !== null) {
    const use = { label: `${name}'s message`, at: at("new", b, "message") };
    d.typeChanges("message", { from: a.message, to: b.message, ...use });
  }
  if (a.broadcast !== b.broadcast) {
    const what = b.broadcast
      ? `${name}'s replies now go to every connection`
      : `${name}'s replies now go only to the sender`;
    d.add("ws.broadcast_changed", ["WebSocket clients"], what, at("new", b, "broadcast"));
  }
  listChanges(d, { kind: "ws", a, b, list: "middlewares" });
  triggerChanges(d, { kind: "ws", a, b });
}

type WithTriggers = Api | Event | WebSocket | Cron;

/** `triggers:` differences: an event no longer published breaks its consumers. */
function triggerChanges(d: Differ, c: { kind: string; a: WithTriggers; b: WithTriggers }): void {
  const { kind, a, b } = c;
  for (const event of a.triggers.filter((e) => !b.triggers.includes(e))) {
    const what = `${LABEL[kind]} "${b.name}" no longer publishes "${event}"`;
    d.add(`${kind}.trigger_removed`, ["event consumers"], what, at("new", b, "triggers"));
  }
  for (const event of b.triggers.filter((e) => !a.triggers.includes(e))) {
    const what = `${LABEL[kind]} "${b.name}" now publishes "${event}"`;
    d.add(`${kind}.trigger_added`, [], what, at("new", b, "triggers"));
  }
}

const LABEL: Record<string, string> = { api: "API", event: "Event", ws: "WebSocket", cron: "Cron" };

/** Middlewares (a new one may reject callers) and event handlers (the project's own). */
function listChanges(
  d: Differ,
  c: { kind: string; a: Api | Event | WebSocket; b: Api | Event | WebSocket; list: string },
): void {
  const { kind, a, b, list } = c;
  const before = (a as unknown as Record<string, string[]>)[list]!;
  const after = (b as unknown as Record<string, string[]>)[list]!;
  const singular = list === "handlers" ? "handler" : "middleware";
  const breaks = list === "middlewares"
    ? [kind === "ws" ? "WebSocket clients" : "API callers"]
    : [];
  const property = list === "handlers" ? "handler" : list;
  for (const item of after.filter((m) => !before.includes(m))) {
    const what = `${LABEL[kind]} "${b.name}" gained ${singular} "${item}"` +
      (breaks.length > 0 ? ": it may reject requests that passed before" : "");
    d.add(`${kind}.${singular}_added`, breaks, what, at("new", b, property));
  }
  for (const item of before.filter((m) => !after.includes(m))) {
    const what = `${LABEL[kind]} "${b.name}" lost ${singular} "${item}"`;
    d.add(`${kind}.${singular}_removed`, [], what, at("new", b, property));
  }
}

function describeTypeChange(
  change: string,
  c: { field: string; from: string; to: string },
): string {
  switch (change) {
    case "field_added_required":
      return `${c.field} was added as required (${c.to})`;
    case "field_added_optional":
      return `${c.field} was added as optional (${c.to})`;
    case "field_removed":
      return `${c.field} was removed (was ${c.from})`;
    case "field_made_optional":
      return `${c.field} became optional`;
    case "field_made_required":
      return `${c.field} became required`;
    case "type_widened":
      return `${c.field} was widened from ${c.from} to ${c.to}`;
    case "type_narrowed":
      return `${c.field} was narrowed from ${c.from} to ${c.to}`;
    default:
      return `${c.field} changed type from ${c.from} to ${c.to}`;
  }
}
