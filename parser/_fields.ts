/**
 * Fields of `model`, `type` and `input` blocks: names, field types, `?` and attributes.
 *
 * @module
 */

import type { Attribute, Field, FieldType, PrimitiveTypeName, SchemaLocations } from "./ast.ts";
import type { Cursor } from "./_cursor.ts";
import { type Token, TokenKind } from "./_scanner.ts";

const PRIMITIVES: ReadonlyMap<string, PrimitiveTypeName> = new Map<string, PrimitiveTypeName>([
  ["Int", "Int"],
  ["String", "String"],
  ["Boolean", "Boolean"],
  ["Bool", "Boolean"],
  ["Float", "Float"],
  ["DateTime", "DateTime"],
  ["Json", "Json"],
]);

/** Which kind of block a field belongs to: model fields have no colon and may have attributes. */
export type FieldStyle = "model" | "dto";

/** Parses one field at the current token (an identifier); returns null after a syntax error.
 *
 * @param c the cursor, at the field name
 * @param style `model` (`name Type? @attr`) or `dto` (`name: Type?`)
 * @param locations where the field's spans are recorded
 */
export function parseField(c: Cursor, style: FieldStyle, locations: SchemaLocations): Field | null {
  const nameToken = c.next();
  if (style === "dto") {
    if (!c.at(TokenKind.Colon)) return fail(c, "':'");
    c.next();
  }
  const typeStart = c.peek();
  const fieldType = parseFieldType(c);
  if (fieldType === null) return null;
  const typeSpan = c.span(typeStart, c.previous);
  const optional = c.at(TokenKind.Question);
  if (optional) c.next();
  const attributes: Attribute[] = [];
  while (style === "model" && c.at(TokenKind.At)) {
    const attribute = parseAttribute(c);
    if (attribute === null) return null;
    attributes.push(attribute);
  }
  const field: Field = { name: c.text(nameToken), field_type: fieldType, optional, attributes };
  locations.set(field, {
    span: c.span(nameToken, c.previous),
    name: c.span(nameToken),
    properties: { type: typeSpan },
    items: {},
  });
  return field;
}

/** `Ident` then an optional `[]` written without space inside. */
function parseFieldType(c: Cursor): FieldType | null {
  if (!c.at(TokenKind.Ident) || c.atDefinitionWithBody()) return fail(c, "a type name");
  const name = c.text(c.next());
  const base: FieldType = PRIMITIVES.get(name) ?? { Custom: name };
  if (c.at(TokenKind.LBracket)) return fail(c, "'[]' without spaces");
  if (!c.at(TokenKind.EmptyBrackets)) return base;
  c.next();
  return { Array: base };
}

/** `@name` or `@name(arg, …)`; arguments are identifiers, strings or integers, stored unquoted. */
function parseAttribute(c: Cursor): Attribute | null {
  c.next();
  if (!c.at(TokenKind.Ident)) return fail(c, "an attribute name");
  const name = c.text(c.next());
  const args: string[] = [];
  if (!c.at(TokenKind.LParen)) return { name, args };
  c.next();
  if (c.at(TokenKind.RParen)) {
    c.next();
    return { name, args };
  }
  for (;;) {
    const arg = c.peek();
    if (!isArgument(arg)) return fail(c, "an identifier, string or integer");
    c.next();
    args.push(arg.kind === TokenKind.String ? c.stringValue(arg) : c.text(arg));
    if (c.at(TokenKind.RParen)) {
      c.next();
      return { name, args };
    }
    if (!c.at(TokenKind.Comma)) return fail(c, "',' or ')'");
    c.next();
  }
}

function isArgument(token: Token): boolean {
  return token.kind === TokenKind.Ident || token.kind === TokenKind.String ||
    token.kind === TokenKind.Number;
}

/** Reports a syntax error at the current token (or `at`) and returns null. */
function fail(c: Cursor, what: string, at: Token = c.peek()): null {
  c.expected(at, what);
  return null;
}
