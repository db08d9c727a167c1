/**
 * The recursive-descent parser of one `.ro` file. It never throws: every problem becomes a
 * diagnostic and parsing resumes at the next member, closing brace or definition.
 *
 * @module
 */

import {
  type Field,
  FLOW_CONTROL_KEYS,
  type Input,
  type Model,
  type Schema,
  type SchemaLocations,
  type TypeDef,
} from "./ast.ts";
import type { Diagnostic } from "./diagnostic.ts";
import { Cursor, type MemberStart } from "./_cursor.ts";
import { type FieldStyle, parseField } from "./_fields.ts";
import { buildPropertyDefinition, type PropertyBlock, propertyLocation } from "./_definitions.ts";
import {
  parseProperty,
  PROPERTY_TABLES,
  type PropertyBag,
  type PropertyBlockKind,
} from "./_properties.ts";
import { scan, type Token, TokenKind } from "./_scanner.ts";
import { atFlowBlock, type FlowDraft, flowLocation, parseFlowMember } from "./_flow.ts";

/** Where parsed definitions go: shared by every file of one parse. */
export interface ParseTarget {
  schema: Schema;
  locations: SchemaLocations;
}

const TOP_LEVEL = "one of model, type, input, api, event, cron, ws";

/** Parses one file's source, appending its definitions to the target.
 *
 * @param source the `.ro` text
 * @param file the file name diagnostics and spans carry
 * @param target the schema and locations to fill
 * @returns the file's diagnostics, ordered by position
 */
export function parseInto(source: string, file: string, target: ParseTarget): Diagnostic[] {
  const c = new Cursor(source, file, scan(source));
  while (!c.at(TokenKind.EOF)) {
    const token = c.peek();
    if (token.kind === TokenKind.Ident && isKeyword(c.text(token))) {
      parseDefinition(c, target);
    } else {
      c.expected(token, TOP_LEVEL);
      c.syncTopLevel();
    }
  }
  return c.diagnostics.sort(compareByPosition);
}

function compareByPosition(a: Diagnostic, b: Diagnostic): number {
  return a.line - b.line || a.column - b.column;
}

type Keyword = "model" | "type" | "input" | PropertyBlockKind;

function isKeyword(text: string): text is Keyword {
  return text === "model" || text === "type" || text === "input" ||
    Object.hasOwn(PROPERTY_TABLES, text);
}

/** `keyword Name { … }`; a definition without a name or `{` is reported and dropped. */
function parseDefinition(c: Cursor, target: ParseTarget): void {
  const keyword = c.next();
  const kind = c.text(keyword) as Keyword;
  const nameToken = c.peek();
  const named = nameToken.kind === TokenKind.Ident;
  if (named) c.next();
  else c.expected(nameToken, "a name");
  if (!c.at(TokenKind.LBrace)) {
    if (named) c.expected(c.peek(), "'{'");
    if (!c.atDefinition() && !c.at(TokenKind.EOF)) c.syncTopLevel();
    return;
  }
  c.next();
  const header = { keyword, nameToken, name: named ? c.text(nameToken) : "" };
  switch (kind) {
    case "model":
    case "type":
    case "input":
      return parseFieldBlock(c, kind, header, named ? target : null);
    case "api":
    case "event":
    case "cron":
    case "ws":
      return parsePropertyBlock(c, kind, header, named ? target : null);
  }
}

interface Header {
  keyword: Token;
  nameToken: Token;
  name: string;
}

function parseFieldBlock(
  c: Cursor,
  kind: "model" | "type" | "input",
  header: Header,
  target: ParseTarget | null,
): void {
  const style: FieldStyle = kind === "model" ? "model" : "dto";
  const fields: Field[] = [];
  const locations = target?.locations ?? new WeakMap();
  const start: MemberStart = style === "model" ? "new-line" : "key-colon";
  parseMembers(c, start, "a field name or '}'", () => {
    const field = parseField(c, style, locations);
    if (field !== null) fields.push(field);
    return field !== null;
  });
  if (target === null) return;
  const node = kind === "model" ? pushModel(target.schema, header.name, fields) : pushDto(
    kind === "type" ? target.schema.types : target.schema.inputs,
    header.name,
    fields,
  );
  target.locations.set(node, {
    span: c.span(header.keyword, c.previous),
    name: c.span(header.nameToken),
    properties: {},
    items: {},
  });
}

function pushModel(schema: Schema, name: string, fields: Field[]): Model {
  const model: Model = { name, fields, attributes: [] };
  schema.models.push(model);
  return model;
}

function pushDto(list: (TypeDef | Input)[], name: string, fields: Field[]): TypeDef | Input {
  const node = { name, fields };
  list.push(node);
  return node;
}

function parsePropertyBlock(
  c: Cursor,
  kind: PropertyBlockKind,
  header: Header,
  target: ParseTarget | null,
): void {
  const bag: PropertyBag = { values: new Map(), failed: new Set() };
  const flows: FlowDraft[] = [];
  const errorsBefore = c.errorCount;
  const keys = Object.keys(PROPERTY_TABLES[kind]).join(", ");
  const closed = parseMembers(
    c,
    "key-colon",
    `one of ${keys} or '}'`,
    () =>
      kind === "event" && atFlowBlock(c) ? parseFlowBlock(c, flows) : parseProperty(c, kind, bag),
  );
  if (target === null) return;
  const block: PropertyBlock = {
    kind,
    name: header.name,
    nameSpan: c.span(header.nameToken),
    bag,
    flows,
    hadSyntaxErrors: c.errorCount > errorsBefore || !closed,
  };
  const span = c.span(header.keyword, c.previous);
  const node = buildPropertyDefinition(c, block, target.schema);
  if (node === null) return;
  target.locations.set(node, propertyLocation(block, span));
  for (const flow of flows) target.locations.set(flow.node, flowLocation(flow));
}

/** `on handler { key: phrase … }`; the block is kept even when some members failed. */
function parseFlowBlock(c: Cursor, flows: FlowDraft[]): true {
  const keyword = c.next();
  const nameToken = c.next();
  c.next();
  const draft: FlowDraft = {
    node: { handler: c.text(nameToken) },
    span: c.span(keyword),
    handlerSpan: c.span(nameToken),
    spans: {},
    keySpans: {},
  };
  const expected = `one of ${FLOW_CONTROL_KEYS.join(", ")} or '}'`;
  parseMembers(c, "key-colon", expected, () => parseFlowMember(c, draft));
  draft.span = c.span(keyword, c.previous);
  flows.push(draft);
  return true;
}

/** The members of a block up to its `}`: each member starts with an identifier; after a failed
 * member, parsing resumes at the next one. A missing `}` is reported at the end of the file or at
 * the next `keyword Name {`. Returns whether the block was closed.
 */
function parseMembers(
  c: Cursor,
  start: MemberStart,
  expected: string,
  member: () => boolean,
): boolean {
  for (;;) {
    const token = c.peek();
    if (token.kind === TokenKind.RBrace) {
      c.next();
      return true;
    }
    if (token.kind === TokenKind.EOF || c.atDefinitionWithBody()) {
      c.expected(token, "'}'");
      return false;
    }
    const memberStart = c.index;
    if (token.kind !== TokenKind.Ident) c.expected(token, expected);
    else if (member()) continue;
    c.syncInBlock(memberStart, start);
  }
}
