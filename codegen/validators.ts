/**
 * Request validators compiled from the schema to JavaScript source: one function per model, type
 * and input, checking required fields, JSON types, integers, ISO date-times, arrays and nested
 * objects, collecting every issue with its path. The same source is written to
 * `generated/validators.ts` (typed) and turned into functions by {@linkcode compileValidators}.
 *
 * The engine imports this file rather than the codegen door: an edge process compiles its
 * validators without loading the project generator and the parser (`engine/edge/edge_imports_test.ts`).
 *
 * @module
 */

import type { Field, FieldType, Schema } from "../parser/mod.ts";
import { isIdentifier } from "./_names.ts";
import { byText, SchemaIndex } from "./_schema_index.ts";
import { CodeWriter } from "./_writer.ts";
import { TS_HEADER } from "./_ts_module.ts";
import { unknownFieldCheckers } from "./_unknown_fields.ts";

export { unknownFieldsKey } from "./_unknown_fields.ts";

/** One problem found in a value: `path` is like `address.street` or `tags[2]`, `""` for the root. */
export interface ValidationIssue {
  /** Where in the value, like `address.street` or `tags[2]`; `""` for the value itself. */
  path: string;
  /** What is wrong, for people. */
  message: string;
}

/** Checks a JSON value; returns every issue found, none when the value is valid. */
export type Validator = (value: unknown) => ValidationIssue[];

/** Validators keyed by model, type and input name, and by primitive type name. */
export type ValidatorTable = ReadonlyMap<string, Validator>;

const PRIMITIVE_NAMES = ["Boolean", "DateTime", "Float", "Int", "Json", "String"] as const;

/**
 * The source of the date-times whose every part is in range (month 1-12, day 1-31, hour 0-23,
 * minute and second 0-59, offset up to 23:59, 1-9 fraction digits): a subset of the ISO form
 * whose values `Date.parse` always accepts, so the generated check needs no parse for them.
 */
export const PLAIN_DATE_TIME_SOURCE =
  "/^\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])T(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d{1,9})?(?:Z|[+-](?:[01]\\d|2[0-3]):[0-5]\\d)$/";

/** Whether the source is written with TypeScript annotations. */
interface Flavor {
  typed: boolean;
}

/** The shared part of both forms: helpers and one `check_<Name>` function per named type.
 *
 * @param schema the parsed schema
 * @param flavor typed for `validators.ts`, untyped for `new Function`
 * @returns the source lines
 */
function coreSource(schema: Schema, index: SchemaIndex, flavor: Flavor): CodeWriter {
  const w = new CodeWriter("  ");
  const t = (annotation: string) => flavor.typed ? annotation : "";
  const sig = `(v${t(": unknown")}, p${t(": string")}, out${t(": ValidationIssue[]")})${
    t(": void")
  }`;
  w.line(
    "const ISO_DATE_TIME = /^\\d{4}-\\d{2}-\\d{2}(?:[Tt ]\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?(?:[Zz]|[+-]\\d{2}:?\\d{2})?)?$/;",
  );
  // Every part in range: `Date.parse` accepts each of these (codegen/validators_test.ts checks it),
  // so the common form skips it (0.3-0.5 us a call, measured in a loop).
  w.line(`const PLAIN_DATE_TIME = ${PLAIN_DATE_TIME_SOURCE};`);
  w.block(`function isDateTime(v${t(": string")})${t(": boolean")} {`, () => {
    w.line(
      "return PLAIN_DATE_TIME.test(v) || (ISO_DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)));",
    );
  }, "}");
  w.block(`function at(p${t(": string")}, key${t(": string")})${t(": string")} {`, () => {
    w.line('return p === "" ? key : p + "." + key;');
  }, "}");
  w.block(`function kind(v${t(": unknown")})${t(": string")} {`, () => {
    w.line('return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;');
  }, "}");
  for (const name of PRIMITIVE_NAMES) {
    w.block(`function check_${name}${sig} {`, () => writeCheck(w, name, "v", "p"), "}");
  }
  const shapes = [...schema.models, ...schema.types, ...schema.inputs];
  const seen = new Set<string>();
  for (const shape of shapes) {
    if (seen.has(shape.name)) continue;
    seen.add(shape.name);
    w.block(`function check_${shape.name}${sig} {`, () => {
      writeObjectCheck(w, shape.fields, index, flavor);
    }, "}");
  }
  return w;
}

function writeObjectCheck(w: CodeWriter, fields: Field[], index: SchemaIndex, f: Flavor): void {
  w.block('if (typeof v !== "object" || v === null || Array.isArray(v)) {', () => {
    w.line('out.push({ path: p, message: "Expected an object, got " + kind(v) });').line("return;");
  }, "}");
  const checked = fields.filter((field) => !field.optional || checksValue(field.field_type, index));
  if (checked.length === 0) return;
  w.line(f.typed ? "const o = v as Record<string, unknown>;" : "const o = v;");
  w.line(f.typed ? "let x: unknown;" : "let x;");
  for (const field of checked) {
    const access = isIdentifier(field.name)
      ? `o.${field.name}`
      : `o[${JSON.stringify(field.name)}]`;
    const path = `at(p, ${JSON.stringify(field.name)})`;
    const missing = `out.push({ path: ${path}, message: "Required field is missing" });`;
    w.line(`x = ${access};`);
    if (field.optional) {
      w.block("if (x !== undefined && x !== null) {", () => {
        writeFieldCheck(w, field.field_type, index, path);
      }, "}");
    } else if (!checksValue(field.field_type, index)) {
      w.line(`if (x === undefined) ${missing}`);
    } else {
      w.block("if (x === undefined) {", () => w.line(missing), "} else {");
      w.indent(() => writeFieldCheck(w, field.field_type, index, path));
      w.line("}");
    }
  }
}

/** Whether a present value of this type needs any check (`Json` and unknown names accept all). */
function checksValue(type: FieldType, index: SchemaIndex): boolean {
  if (typeof type === "string") return type !== "Json";
  if ("Array" in type) return true;
  const ref = index.resolve(type.Custom);
  return ref.kind === "primitive" ? ref.name !== "Json" : ref.kind !== "unknown";
}

function writeFieldCheck(w: CodeWriter, type: FieldType, index: SchemaIndex, path: string): void {
  if (typeof type === "string") return writeCheck(w, type, "x", path);
  if ("Array" in type) {
    const notArray = `out.push({ path: ${path}, message: "Expected an array, got " + kind(x) });`;
    if (!checksValue(type.Array, index)) return void w.line(`if (!Array.isArray(x)) ${notArray}`);
    w.block("if (!Array.isArray(x)) {", () => w.line(notArray), "} else {");
    w.indent(() => {
      w.block("for (let i = 0; i < x.length; i++) {", () => {
        const item = `${path} + "[" + i + "]"`;
        const inner = type.Array;
        if (typeof inner === "string") return writeCheck(w, inner, "x[i]", item);
        if ("Array" in inner) return;
        writeNamedCall(w, inner.Custom, index, "x[i]", item);
      }, "}");
    });
    w.line("}");
    return;
  }
  writeNamedCall(w, type.Custom, index, "x", path);
}

function writeNamedCall(
  w: CodeWriter,
  name: string,
  index: SchemaIndex,
  value: string,
  path: string,
) {
  const ref = index.resolve(name);
  if (ref.kind === "unknown") return;
  w.line(`check_${ref.name}(${value}, ${path}, out);`);
}

/** Writes the check of one primitive type for `value`, reporting at `path`. */
function writeCheck(
  w: CodeWriter,
  type: string,
  value: string,
  path: string,
): void {
  const fail = (expected: string) =>
    `out.push({ path: ${path}, message: "Expected ${expected}, got " + kind(${value}) });`;
  switch (type) {
    case "String":
      return void w.line(`if (typeof ${value} !== "string") ${fail("a string")}`);
    case "Boolean":
      return void w.line(`if (typeof ${value} !== "boolean") ${fail("a boolean")}`);
    case "Float":
      return void w.line(
        `if (typeof ${value} !== "number" || !Number.isFinite(${value})) ${fail("a number")}`,
      );
    case "Int":
      return void w.line(
        `if (typeof ${value} !== "number" || !Number.isInteger(${value})) ${fail("an integer")}`,
      );
    case "DateTime":
      w.block(
        `if (typeof ${value} !== "string" || !isDateTime(${value})) {`,
        () => {
          w.line(
            `out.push({ path: ${path}, message: "Expected an ISO 8601 date-time string, got " + (typeof ${value} === "string" ? JSON.stringify(${value}) : kind(${value})) });`,
          );
        },
        "}",
      );
      return;
    case "Json":
      return void w.line(`if (${value} === undefined) ${fail("a JSON value")}`);
  }
}

function tableNames(schema: Schema): string[] {
  const names = new Set<string>(PRIMITIVE_NAMES);
  for (const shape of [...schema.models, ...schema.types, ...schema.inputs]) names.add(shape.name);
  return [...names].sort(byText);
}

/** The names `generated/validators.ts` exports.
 *
 * @param schema the parsed schema
 * @returns the exported names
 */
export function validatorExports(schema: Schema): string[] {
  return [
    "ValidationIssue",
    "Validator",
    "validators",
    ...tableNames(schema).map((n) => `validate${n}`),
  ];
}

/** The text of `generated/validators.ts`.
 *
 * @param schema the parsed schema
 * @param index its type index
 * @returns the module source
 */
export function tsValidatorsModule(schema: Schema, index: SchemaIndex): string {
  const w = new CodeWriter("  ").line(TS_HEADER).line();
  w.line("/** One problem found in a value: `path` is like `address.street` or `tags[2]`. */");
  w.line("export interface ValidationIssue {").line("  path: string;").line("  message: string;");
  w.line("}").line();
  w.line("/** Checks a JSON value; returns every issue found, none when the value is valid. */");
  w.line("export type Validator = (value: unknown) => ValidationIssue[];").line();
  const core = coreSource(schema, index, { typed: true }).toString();
  const body = new CodeWriter("  ").lines(core.trimEnd().split("\n")).line();
  for (const name of tableNames(schema)) {
    body.line(`/** Validates a JSON value against \`${name}\`. */`);
    body.block(`export function validate${name}(value: unknown): ValidationIssue[] {`, () => {
      body.line("const out: ValidationIssue[] = [];");
      body.line(`check_${name}(value, "", out);`).line("return out;");
    }, "}");
    body.line();
  }
  body.line("/** Every validator, keyed by model, type, input and primitive name. */");
  body.block(
    "export const validators: ReadonlyMap<string, Validator> = new Map<string, Validator>([",
    () => {
      for (const name of tableNames(schema)) {
        body.line(`[${JSON.stringify(name)}, validate${name}],`);
      }
    },
    "]);",
  );
  return w.lines(body.toString().trimEnd().split("\n")).toString();
}

/** The body of the function {@linkcode compileValidators} builds: returns the table.
 *
 * @param schema the parsed schema
 * @returns JavaScript source
 */
export function validatorFunctionSource(schema: Schema): string {
  const w = coreSource(schema, new SchemaIndex(schema), { typed: false });
  w.block("function entry(check) {", () => {
    w.line("return (value) => {").line("  const out = [];").line('  check(value, "", out);');
    w.line("  return out;").line("};");
  }, "}");
  w.block("return new Map([", () => {
    for (const name of tableNames(schema)) {
      w.line(`[${JSON.stringify(name)}, entry(check_${name})],`);
    }
  }, "]);");
  return w.toString();
}

/**
 * Compiles the validators of a schema into plain JavaScript functions, once: the engine calls it at
 * start-up and then validates request bodies without walking the schema.
 *
 * @param schema the parsed (and validated) schema
 * @returns validators keyed by model, type, input and primitive name, and the unknown-field
 * checkers keyed by `unknownFieldsKey(name)`
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { compileValidators } from "./mod.ts";
 * import { emptySchema } from "../parser/ast.ts";
 * const schema = emptySchema();
 * schema.inputs.push({ name: "Hello", fields: [
 *   { name: "name", field_type: "String", optional: false, attributes: [] },
 * ] });
 * const issues = compileValidators(schema).get("Hello")!({ name: 1 });
 * assertEquals(issues[0]?.path, "name");
 * ```
 */
export function compileValidators(schema: Schema): ValidatorTable {
  const build = new Function(validatorFunctionSource(schema)) as () => Map<string, Validator>;
  const table = build();
  // Beside them, under keys no type name can spell: for `[server] unknown_fields = "reject"`.
  for (const [key, check] of unknownFieldCheckers(schema)) table.set(key, check);
  return table;
}
