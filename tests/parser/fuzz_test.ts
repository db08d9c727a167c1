/**
 * Property test: random mutations of valid schemas never make the parser throw, and every
 * diagnostic and span points inside the source. Reproduce a failure with `FUZZ_SEED=<seed>`.
 */
import assert from "node:assert/strict";
import {
  type Diagnostic,
  PARSE_CODES,
  parseSchema,
  type Schema,
  type Span,
} from "../../parser/mod.ts";
import { scan } from "../../parser/_scanner.ts";

const SEED = Number(Deno.env.get("FUZZ_SEED") ?? 0x5eed_2026);
const ITERATIONS = 5_000;
const CODES: ReadonlySet<string> = new Set(Object.values(PARSE_CODES));
const SYNTAX_CODES: ReadonlySet<string> = new Set([
  PARSE_CODES.syntaxError,
  PARSE_CODES.invalidCharacter,
  PARSE_CODES.unterminatedString,
  PARSE_CODES.unterminatedComment,
]);

const CORPUS = [
  await readExample("models/user.ro"),
  await readExample("api/timeline_test.ro"),
  await readExample("events/timeline_events.ro"),
  await readExample("websockets/hello_world.ro"),
  await readExample("cron/cron.ro"),
  `model A { tags String[]? @default("a,b") @map(x, -1, true) }
input I { a : String  b: Int? }
/* block */ api A { method : GET path: "/u/{id}/:x" body: I response: R triggers: [] middlewares: ["auth", r] }
event E { payload: User type: SQS handler: [h1, h2] triggers: [X] }
cron C { schedule: "0 0\n* * *" timezone: "Europe/Berlin" }
ws W { path: "/ws" broadcast: true onConnect: [c] } // end`,
];

const PALETTE = [
  "{",
  "}",
  "[",
  "]",
  "[]",
  "(",
  ")",
  ",",
  ":",
  "?",
  "@",
  '"',
  "/*",
  "*/",
  "//",
  "\n",
  "\r\n",
  "\t",
  "-",
  "-1",
  "1.5",
  "\\",
  "\0",
  "\u00e9",
  "\u2028",
  "\ud83d\ude00",
  "\ud800",
  "\udfff",
  "\ufeff",
  "model",
  "type",
  "input",
  "api",
  "event",
  "cron",
  "ws",
  "method:",
  "GET",
  "get",
  "true",
  "x",
];

Deno.test(`random mutations never throw and keep positions inside the source (seed ${SEED})`, () => {
  const random = mulberry32(SEED);
  for (let i = 0; i < ITERATIONS; i++) {
    const base = CORPUS[Math.floor(random() * CORPUS.length)]!;
    const source = mutate(base, random);
    checkParse(source, `seed ${SEED}, iteration ${i}`);
  }
});

Deno.test("huge and deeply nested inputs parse without throwing, in reasonable time", () => {
  const random = mulberry32(SEED);
  const huge = [
    CORPUS.join("\n").repeat(200),
    "{".repeat(200_000),
    "}".repeat(200_000),
    "[".repeat(200_000),
    "model A {".repeat(50_000),
    "api A { triggers: [".repeat(20_000),
    "model A { x String ".repeat(20_000) + "}".repeat(20_000),
    "a".repeat(1_000_000),
    '"'.repeat(100_001),
    "/*".repeat(100_000),
    Array.from({ length: 200_000 }, () => String.fromCharCode(Math.floor(random() * 0x10000)))
      .join(""),
  ];
  for (const [i, source] of huge.entries()) {
    const started = performance.now();
    checkParse(source, `huge input ${i}`);
    assert.ok(performance.now() - started < 2_000, `huge input ${i} took too long`);
  }
});

function checkParse(source: string, context: string): void {
  let result;
  try {
    result = parseSchema(source, { file: "fuzz.ro" });
  } catch (error) {
    throw new Error(`parseSchema threw (${context}) on ${JSON.stringify(source.slice(0, 500))}`, {
      cause: error,
    });
  }
  const lines = source.split("\n");
  for (const d of result.diagnostics) checkDiagnostic(d, lines, `${context}: ${JSON.stringify(d)}`);
  for (const span of definitionSpans(result.schema, result.locations)) {
    checkPosition(lines, span.line, span.column, context);
    checkPosition(lines, span.endLine, span.endColumn, context);
    assert.ok(0 <= span.offset && span.offset <= span.endOffset && span.endOffset <= source.length);
  }
}

function checkDiagnostic(d: Diagnostic, lines: string[], context: string): void {
  assert.ok(CODES.has(d.code), `unknown code (${context})`);
  assert.equal(d.file, "fuzz.ro");
  assert.ok(d.message.length > 0, context);
  if (SYNTAX_CODES.has(d.code)) {
    const prefix = `Syntax error at line ${d.line}, column ${d.column}: `;
    assert.ok(d.message.startsWith(prefix), `message names its own position (${context})`);
  }
  checkPosition(lines, d.line, d.column, context);
  checkPosition(lines, d.endLine, d.endColumn, context);
  assert.ok(d.endLine > d.line || (d.endLine === d.line && d.endColumn >= d.column), context);
}

function checkPosition(lines: string[], line: number, column: number, context: string): void {
  assert.ok(
    Number.isInteger(line) && line >= 1 && line <= lines.length,
    `line ${line} (${context})`,
  );
  const length = lines[line - 1]!.length;
  assert.ok(Number.isInteger(column) && column >= 1 && column <= length + 1, `column (${context})`);
}

function* definitionSpans(
  schema: Schema,
  locations: WeakMap<object, { span: Span; name: Span }>,
): Generator<Span> {
  for (const node of Object.values(schema).flat()) {
    const location = locations.get(node);
    assert.ok(location !== undefined, "every definition has a location");
    yield location.span;
    yield location.name;
  }
}

/** Applies one to four random mutations at token boundaries (or anywhere, for raw edits). */
function mutate(source: string, random: () => number): string {
  let text = source;
  const count = 1 + Math.floor(random() * 4);
  for (let i = 0; i < count; i++) text = mutateOnce(text, random);
  return text;
}

function mutateOnce(text: string, random: () => number): string {
  const tokens = scan(text).tokens.filter((t) => t.end > t.start);
  const pick = () => tokens[Math.floor(random() * tokens.length)];
  const a = pick();
  const b = pick();
  const at = Math.floor(random() * (text.length + 1));
  const junk = PALETTE[Math.floor(random() * PALETTE.length)]!;
  switch (Math.floor(random() * 7)) {
    case 0: // delete a token
      return a ? text.slice(0, a.start) + text.slice(a.end) : text;
    case 1: // duplicate a token
      return a ? text.slice(0, a.end) + " " + text.slice(a.start, a.end) + text.slice(a.end) : text;
    case 2: { // swap two tokens
      if (!a || !b || a === b) return text;
      const [x, y] = a.start < b.start ? [a, b] : [b, a];
      return text.slice(0, x.start) + text.slice(y.start, y.end) + text.slice(x.end, y.start) +
        text.slice(x.start, x.end) + text.slice(y.end);
    }
    case 3: // insert a fragment or random code units
      return text.slice(0, at) + (random() < 0.5 ? junk : randomUnits(random)) + text.slice(at);
    case 4: // truncate
      return text.slice(0, at);
    case 5: // replace one code unit
      return text.slice(0, at) + String.fromCharCode(Math.floor(random() * 0x10000)) +
        text.slice(at + 1);
    default: // delete a range
      return text.slice(0, at) + text.slice(at + Math.floor(random() * 40));
  }
}

function randomUnits(random: () => number): string {
  const length = 1 + Math.floor(random() * 8);
  let out = "";
  for (let i = 0; i < length; i++) out += String.fromCharCode(Math.floor(random() * 0x10000));
  return out;
}

/** A small seeded PRNG, so a failing run reproduces from its seed. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function readExample(path: string): Promise<string> {
  const url = new URL(`../../examples/hello-world/schema/${path}`, import.meta.url);
  return await Deno.readTextFile(url);
}
