/**
 * Properties of `api`, `event`, `cron` and `ws` blocks: `key: value` pairs in any order, the last
 * occurrence of a key winning.
 *
 * @module
 */

import { HTTP_METHODS, type Span } from "./ast.ts";
import type { Cursor } from "./_cursor.ts";
import { type Token, TokenKind } from "./_scanner.ts";

/** The kinds of property value. */
export type ValueKind = "method" | "string" | "ident" | "ident-list" | "name-list" | "boolean";

/** The property keys of each block kind and the value each one takes. */
export const PROPERTY_TABLES = {
  api: {
    method: "method",
    path: "string",
    body: "ident",
    response: "ident",
    triggers: "ident-list",
    middlewares: "name-list",
  },
  event: { payload: "ident", handler: "ident-list", triggers: "ident-list", type: "ident" },
  cron: { schedule: "string", timezone: "string", triggers: "ident-list" },
  ws: {
    path: "string",
    message: "ident",
    onConnect: "ident-list",
    onMessage: "ident-list",
    onDisconnect: "ident-list",
    triggers: "ident-list",
    broadcast: "boolean",
    middlewares: "name-list",
  },
} as const satisfies Record<string, Record<string, ValueKind>>;

/** The block kinds made of properties. */
export type PropertyBlockKind = keyof typeof PROPERTY_TABLES;

/** A parsed value: `text` for scalars (strings unquoted), `items` for lists. */
export interface PropertyValue {
  isList: boolean;
  text: string;
  items: string[];
  span: Span;
  itemSpans: Span[];
}

/** The properties of one block: the last good value of each key, and the keys whose value failed. */
export interface PropertyBag {
  values: Map<string, PropertyValue>;
  failed: Set<string>;
}

const METHODS: ReadonlySet<string> = new Set(HTTP_METHODS);

/** Parses one `key: value` property at the current identifier into the bag.
 *
 * @returns false after a syntax error (the caller re-synchronises)
 */
export function parseProperty(c: Cursor, kind: PropertyBlockKind, bag: PropertyBag): boolean {
  const table: Readonly<Record<string, ValueKind>> = PROPERTY_TABLES[kind];
  const keyToken = c.peek();
  const key = c.text(keyToken);
  const valueKind = Object.hasOwn(table, key) ? table[key] : undefined;
  if (valueKind === undefined) {
    c.expected(keyToken, `one of ${Object.keys(table).join(", ")} or '}'`);
    return false;
  }
  c.next();
  let value: PropertyValue | null = null;
  if (c.at(TokenKind.Colon)) {
    c.next();
    value = parseValue(c, valueKind);
  } else c.expected(c.peek(), "':'");
  if (value === null) {
    bag.failed.add(key);
    return false;
  }
  bag.values.set(key, value);
  return true;
}

const EXPECTED_VALUE = {
  method: `one of ${HTTP_METHODS.join(", ")}`,
  string: "a string",
  ident: "an identifier",
  boolean: "true or false",
  "ident-list": "'['",
  "name-list": "'['",
} as const satisfies Record<ValueKind, string>;

function parseValue(c: Cursor, kind: ValueKind): PropertyValue | null {
  // `payload:` followed by the next `model User {` must not take `model` as its value and
  // swallow that definition.
  if (c.atDefinitionWithBody()) return fail(c, EXPECTED_VALUE[kind]);
  const token = c.peek();
  const text = c.text(token);
  const ident = token.kind === TokenKind.Ident;
  switch (kind) {
    case "method":
      return ident && METHODS.has(text) ? scalar(c, text) : fail(c, EXPECTED_VALUE.method);
    case "string":
      return token.kind === TokenKind.String
        ? scalar(c, c.stringValue(token))
        : fail(c, EXPECTED_VALUE.string);
    case "ident":
      return ident ? scalar(c, text) : fail(c, EXPECTED_VALUE.ident);
    case "boolean":
      return ident && (text === "true" || text === "false")
        ? scalar(c, text)
        : fail(c, EXPECTED_VALUE.boolean);
    case "ident-list":
      return parseList(c, false);
    case "name-list":
      return parseList(c, true);
  }
}

/** Consumes the current token as a scalar value with the given text. */
function scalar(c: Cursor, text: string): PropertyValue {
  return { isList: false, text, items: [], span: c.span(c.next()), itemSpans: [] };
}

/** `[a, b]`; `[]` and `[ ]` are empty lists; quoted items only where `strings` allows them. */
function parseList(c: Cursor, strings: boolean): PropertyValue | null {
  const open = c.peek();
  if (open.kind === TokenKind.EmptyBrackets) return list(c, open, [], []);
  if (open.kind !== TokenKind.LBracket) return fail(c, EXPECTED_VALUE["ident-list"]);
  c.next();
  const items: string[] = [];
  const itemSpans: Span[] = [];
  if (c.at(TokenKind.RBracket)) return list(c, open, items, itemSpans);
  for (;;) {
    const item = c.peek();
    if (c.atDefinitionWithBody()) {
      return fail(c, strings ? "an identifier or a string" : "an identifier");
    }
    if (item.kind === TokenKind.Ident) items.push(c.text(item));
    else if (strings && item.kind === TokenKind.String) items.push(c.stringValue(item));
    else return fail(c, strings ? "an identifier or a string" : "an identifier");
    itemSpans.push(c.span(c.next()));
    if (c.at(TokenKind.RBracket)) return list(c, open, items, itemSpans);
    if (!c.at(TokenKind.Comma)) return fail(c, "',' or ']'");
    c.next();
  }
}

/** Finishes a list at its closing token (the current `]`, or the `[]` token itself). */
function list(c: Cursor, open: Token, items: string[], itemSpans: Span[]): PropertyValue {
  const close = c.next();
  return { isList: true, text: "", items, span: c.span(open, close), itemSpans };
}

function fail(c: Cursor, what: string): null {
  c.expected(c.peek(), what);
  return null;
}
