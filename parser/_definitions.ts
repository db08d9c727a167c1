/**
 * Builds `api`, `event`, `cron` and `ws` nodes from their parsed properties, with the original's
 * construction checks (missing required properties, the event `type:` value).
 *
 * @module
 */

import type { Api, Cron, Event, HttpMethod, NodeLocation, Schema, Span, WebSocket } from "./ast.ts";
import { PARSE_CODES } from "./codes.ts";
import type { Cursor } from "./_cursor.ts";
import type { PropertyBag, PropertyBlockKind } from "./_properties.ts";
import type { FlowDraft } from "./_flow.ts";

/** A definition block after parsing: its name, properties, and whether its body had syntax errors. */
export interface PropertyBlock {
  kind: PropertyBlockKind;
  name: string;
  nameSpan: Span;
  bag: PropertyBag;
  /** The `on handler { … }` blocks of an event; empty for other kinds. */
  flows: FlowDraft[];
  hadSyntaxErrors: boolean;
}

/** Builds the node of a property block and appends it to the schema; returns the node, or null
 * when a required property is missing (reported unless the body already had syntax errors).
 */
export function buildPropertyDefinition(
  c: Cursor,
  block: PropertyBlock,
  schema: Schema,
): Api | Event | Cron | WebSocket | null {
  switch (block.kind) {
    case "api":
      return push(schema.apis, buildApi(c, block));
    case "event":
      return push(schema.events, buildEvent(c, block));
    case "cron":
      return push(schema.crons, buildCron(block));
    case "ws":
      return push(schema.websockets, buildWebSocket(c, block));
  }
}

/** The location record of a property block: each value's span and each list item's span. */
export function propertyLocation(block: PropertyBlock, span: Span): NodeLocation {
  const location: NodeLocation = { span, name: block.nameSpan, properties: {}, items: {} };
  for (const [key, value] of block.bag.values) {
    location.properties[key] = value.span;
    if (value.isList) location.items[key] = value.itemSpans;
  }
  return location;
}

function push<T>(list: T[], node: T | null): T | null {
  if (node !== null) list.push(node);
  return node;
}

function buildApi(c: Cursor, block: PropertyBlock): Api | null {
  const method = text(block, "method") as HttpMethod | undefined;
  const path = text(block, "path");
  const response = text(block, "response");
  const label = "Invalid API definition";
  reportIfMissing(c, block, method, "method", `${label}: Missing HTTP method`);
  reportIfMissing(c, block, path, "path", `${label}: Missing path`);
  reportIfMissing(c, block, response, "response", `${label}: Missing response`);
  if (method === undefined || path === undefined || response === undefined) return null;
  return {
    name: block.name,
    method,
    path,
    body: text(block, "body") ?? null,
    response,
    triggers: items(block, "triggers"),
    middlewares: items(block, "middlewares"),
  };
}

function buildEvent(c: Cursor, block: PropertyBlock): Event {
  const event: Event = {
    name: block.name,
    payload: text(block, "payload") ?? "",
    handlers: items(block, "handler"),
    triggers: items(block, "triggers"),
  };
  if (block.flows.length > 0) event.flow = block.flows.map((flow) => flow.node);
  const type = block.bag.values.get("type");
  if (type === undefined) return event;
  const lowered = type.text.toLowerCase();
  if (lowered === "sqs" || lowered === "eventbridge") {
    event.adapter_type = lowered;
  } else {
    const message = `Invalid event definition: Invalid adapter type '${type.text}' for event ` +
      `'${block.name}'. Must be 'sqs' or 'eventbridge'`;
    c.report(type.span, PARSE_CODES.invalidEventType, message);
  }
  return event;
}

function buildCron(block: PropertyBlock): Cron {
  const cron: Cron = {
    name: block.name,
    schedule: text(block, "schedule") ?? "",
    triggers: items(block, "triggers"),
  };
  const timezone = text(block, "timezone");
  if (timezone !== undefined) cron.timezone = timezone;
  return cron;
}

function buildWebSocket(c: Cursor, block: PropertyBlock): WebSocket | null {
  const path = text(block, "path");
  reportIfMissing(c, block, path, "path", "Invalid WebSocket definition: Missing path");
  if (path === undefined) return null;
  return {
    name: block.name,
    path,
    message: text(block, "message") ?? null,
    on_connect: items(block, "onConnect"),
    on_message: items(block, "onMessage"),
    on_disconnect: items(block, "onDisconnect"),
    triggers: items(block, "triggers"),
    broadcast: text(block, "broadcast") === "true",
    middlewares: items(block, "middlewares"),
  };
}

/** Reports a missing required property at the definition's name, unless its absence is explained
 * by a syntax error already reported (a failed value, or any syntax error in the body).
 */
function reportIfMissing(
  c: Cursor,
  block: PropertyBlock,
  value: string | undefined,
  key: string,
  message: string,
): void {
  if (value !== undefined || block.bag.failed.has(key) || block.hadSyntaxErrors) return;
  c.report(block.nameSpan, PARSE_CODES.missingProperty, message);
}

function text(block: PropertyBlock, key: string): string | undefined {
  return block.bag.values.get(key)?.text;
}

function items(block: PropertyBlock, key: string): string[] {
  return block.bag.values.get(key)?.items ?? [];
}
