/**
 * The members of an `on handler { … }` block inside an `event`: one flow control per line, each a
 * short phrase (`concurrency: 2 by customer.id`, `rate: 10 per 1s`, `debounce: 5s by user trailing
 * max 30s`, `batch: 100 within 500ms`, `priority: 5`, `delay: 10s`, `ordered: false`).
 *
 * @module
 */

import {
  type DebounceEdge,
  FLOW_CONTROL_KEYS,
  type FlowControlKey,
  type FlowControls,
  type NodeLocation,
  type RateControl,
  type Span,
} from "./ast.ts";
import { PARSE_CODES } from "./codes.ts";
import type { Cursor } from "./_cursor.ts";
import { type Token, TokenKind } from "./_scanner.ts";
import { suggestionSuffix } from "./_validate_suggest.ts";

/** One `on handler { … }` block being parsed: the node and where each control is written. */
export interface FlowDraft {
  node: FlowControls;
  /** The whole `on handler { … }` block. */
  span: Span;
  handlerSpan: Span;
  /** The span of each control's value, by key. */
  spans: Partial<Record<FlowControlKey, Span>>;
  /** The span of each control's key path (`by …`), by key. */
  keySpans: Partial<Record<FlowControlKey, Span>>;
}

const KEYS: ReadonlySet<string> = new Set(FLOW_CONTROL_KEYS);

/** The milliseconds of each duration unit. */
const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

const DURATION = "a duration like 500ms, 10s, 1m or 1h";

/** The location record of a flow block: `properties` holds each control's value span under its key
 * and the span of its key path under `key.by` (`concurrency.by`).
 */
export function flowLocation(draft: FlowDraft): NodeLocation {
  const properties: Partial<Record<string, Span>> = { ...draft.spans };
  for (const [key, span] of Object.entries(draft.keySpans)) properties[`${key}.by`] = span;
  return { span: draft.span, name: draft.handlerSpan, properties, items: {} };
}

/** Whether the cursor is at `on name {`, the start of a flow block. */
export function atFlowBlock(c: Cursor): boolean {
  const token = c.peek();
  return token.kind === TokenKind.Ident && c.text(token) === "on" && c.at(TokenKind.Ident, 1) &&
    c.at(TokenKind.LBrace, 2);
}

/** Parses one `key: phrase` member of a flow block into the draft.
 *
 * @returns false after an error (the caller re-synchronises)
 */
export function parseFlowMember(c: Cursor, draft: FlowDraft): boolean {
  const keyToken = c.peek();
  const key = c.text(keyToken);
  if (!KEYS.has(key)) return unknownKey(c, keyToken, key);
  c.next();
  if (!c.at(TokenKind.Colon)) return syntax(c, "':'");
  c.next();
  const start = c.peek();
  if (!parseControl(c, key as FlowControlKey, draft)) return false;
  draft.spans[key as FlowControlKey] = c.span(start, c.previous);
  // A word left over (`delay: 10s by user`) belongs to no phrase of this control.
  if (c.at(TokenKind.RBrace) || atMember(c) || c.at(TokenKind.EOF)) return true;
  return syntax(c, `the next flow control or '}' after ${key}`);
}

function unknownKey(c: Cursor, token: Token, key: string): false {
  const where = `line ${token.line}, column ${token.column}`;
  const expected = `expected one of ${FLOW_CONTROL_KEYS.join(", ")} or '}'`;
  const message = `Unknown flow control '${key}' at ${where}: ${expected}` +
    suggestionSuffix(key, FLOW_CONTROL_KEYS);
  c.report(token, PARSE_CODES.unknownFlowControl, message);
  return false;
}

function parseControl(c: Cursor, key: FlowControlKey, draft: FlowDraft): boolean {
  const node = draft.node;
  switch (key) {
    case "concurrency": {
      const limit = count(c, key);
      if (limit === null) return false;
      const path = optionalKey(c, key, draft);
      if (path === null) return false;
      node.concurrency = path === "" ? { limit } : { limit, key: path };
      return true;
    }
    case "rate":
    case "throttle":
      return rate(c, key, draft);
    case "debounce":
      return debounce(c, draft);
    case "batch":
      return batch(c, draft);
    case "priority":
      return priority(c, draft);
    case "delay": {
      const delay = duration(c, key);
      if (delay !== null) node.delay_ms = delay;
      return delay !== null;
    }
    case "ordered":
      return ordered(c, draft);
  }
}

/** `true` or `false`. */
function ordered(c: Cursor, draft: FlowDraft): boolean {
  const token = c.peek();
  const text = c.text(token);
  if (token.kind === TokenKind.Ident && (text === "true" || text === "false") && !atMember(c)) {
    c.next();
    draft.node.ordered = text === "true";
    return true;
  }
  if (token.kind !== TokenKind.Ident && token.kind !== TokenKind.Number) {
    return syntax(c, "true or false");
  }
  c.next();
  return invalid(c, token, `ordered must be true or false, got ${text}`);
}

/** `10 per 1s [by path]`. */
function rate(c: Cursor, key: "rate" | "throttle", draft: FlowDraft): boolean {
  const limit = count(c, key);
  if (limit === null || !word(c, "per")) return false;
  const period = duration(c, key);
  if (period === null) return false;
  const path = optionalKey(c, key, draft);
  if (path === null) return false;
  const control: RateControl = { limit, period_ms: period };
  if (path !== "") control.key = path;
  draft.node[key] = control;
  return true;
}

/** `5s [by path] [leading|trailing] [max 30s]`. */
function debounce(c: Cursor, draft: FlowDraft): boolean {
  const period = duration(c, "debounce");
  if (period === null) return false;
  const path = optionalKey(c, "debounce", draft);
  if (path === null) return false;
  let edge: DebounceEdge = "trailing";
  const next = c.text(c.peek());
  if (c.at(TokenKind.Ident) && (next === "leading" || next === "trailing") && !atMember(c)) {
    edge = next;
    c.next();
  }
  let maxWait: number | undefined;
  if (c.at(TokenKind.Ident) && c.text(c.peek()) === "max" && !atMember(c)) {
    c.next();
    const wait = duration(c, "debounce");
    if (wait === null) return false;
    maxWait = wait;
  }
  draft.node.debounce = { period_ms: period, edge };
  if (path !== "") draft.node.debounce.key = path;
  if (maxWait !== undefined) draft.node.debounce.max_wait_ms = maxWait;
  return true;
}

/** `100 within 500ms`. */
function batch(c: Cursor, draft: FlowDraft): boolean {
  const size = count(c, "batch");
  if (size === null || !word(c, "within")) return false;
  const wait = duration(c, "batch");
  if (wait === null) return false;
  draft.node.batch = { size, wait_ms: wait };
  return true;
}

function priority(c: Cursor, draft: FlowDraft): boolean {
  const token = c.peek();
  if (token.kind !== TokenKind.Number) return syntax(c, "a priority from 0 to 9");
  const value = Number(c.text(c.next()));
  if (value > 9 || value < 0) {
    return invalid(c, token, `priority must be from 0 to 9, got ${value}`);
  }
  draft.node.priority = value;
  return true;
}

/** A positive integer. */
function count(c: Cursor, key: FlowControlKey): number | null {
  const token = c.peek();
  if (token.kind !== TokenKind.Number || adjacentIdent(c, token)) {
    syntax(c, "a positive integer");
    return null;
  }
  const value = Number(c.text(c.next()));
  if (value >= 1 && Number.isSafeInteger(value)) return value;
  invalid(c, token, `${key} must be a positive integer, got ${c.text(token)}`);
  return null;
}

/** A number directly followed by a unit: `500ms`, `10s`, `1m`, `1h`. */
function duration(c: Cursor, key: FlowControlKey): number | null {
  const token = c.peek();
  const unitToken = c.peek(1);
  if (token.kind !== TokenKind.Number || !adjacentIdent(c, token)) {
    syntax(c, DURATION);
    return null;
  }
  const unit = c.text(unitToken);
  const written = c.text(token) + unit;
  c.next();
  c.next();
  const factor = Object.hasOwn(UNITS, unit) ? UNITS[unit] : undefined;
  if (factor === undefined) {
    const units = Object.keys(UNITS).join(", ");
    invalid(c, token, `unknown unit in '${written}': expected one of ${units}`);
    return null;
  }
  const ms = Number(c.text(token)) * factor;
  if (ms >= 1 && Number.isSafeInteger(ms)) return ms;
  invalid(c, token, `${key} needs a duration above zero, got '${written}'`);
  return null;
}

function adjacentIdent(c: Cursor, token: Token): boolean {
  const next = c.peek(1);
  return next !== token && next.kind === TokenKind.Ident && next.start === token.end;
}

/** `by a.b.c`, or nothing (`""`); null after an error. */
function optionalKey(c: Cursor, key: FlowControlKey, draft: FlowDraft): string | null {
  if (!c.at(TokenKind.Ident) || c.text(c.peek()) !== "by" || atMember(c)) return "";
  c.next();
  const first = c.peek();
  if (first.kind !== TokenKind.Ident) {
    syntax(c, "a payload field path");
    return null;
  }
  const parts = [c.text(c.next())];
  // `.` starts no token, so `a.b` scans as `a`, an invalid `.`, `b`: joined only when adjacent.
  while (atDotIdent(c)) {
    c.next();
    parts.push(c.text(c.next()));
  }
  draft.keySpans[key] = c.span(first, c.previous);
  return parts.join(".");
}

function atDotIdent(c: Cursor): boolean {
  const dot = c.peek();
  const after = c.peek(1);
  return dot.kind === TokenKind.Invalid && c.text(dot) === "." && dot.start === c.previous.end &&
    after.kind === TokenKind.Ident && after.start === dot.end;
}

/** Whether the current identifier starts the next member (`key:`), not a word of this phrase. */
function atMember(c: Cursor): boolean {
  return c.at(TokenKind.Colon, 1);
}

function word(c: Cursor, expected: string): boolean {
  if (c.at(TokenKind.Ident) && c.text(c.peek()) === expected) {
    c.next();
    return true;
  }
  return syntax(c, `'${expected}'`);
}

function syntax(c: Cursor, what: string): false {
  c.expected(c.peek(), what);
  return false;
}

function invalid(c: Cursor, token: Token, detail: string): false {
  const message = `Invalid flow control at line ${token.line}, column ${token.column}: ${detail}`;
  c.report(token, PARSE_CODES.invalidFlowControl, message);
  return false;
}
