import assert from "node:assert/strict";
import {
  compileValidators,
  generateProject,
  unknownFieldsKey,
  type ValidationIssue,
} from "./mod.ts";
import { PLAIN_DATE_TIME_SOURCE } from "./validators.ts";
import { parseSchema } from "../parser/mod.ts";

const SCHEMA = parseSchema(`
model Address { street String zip String? }
model User {
  id Int
  name String
  score Float
  active Boolean
  born DateTime
  tags String[]
  address Address
  previous Address[]?
  extra Json?
  nickname String?
}
input Wrapper { user: User payload: Json blobs: Json[]? }
`).schema;

const VALID = {
  id: 1,
  name: "Ada",
  score: 1.5,
  active: true,
  born: "1815-12-10T00:00:00Z",
  tags: ["a", "b"],
  address: { street: "Main" },
  previous: [{ street: "Old", zip: null }],
  extra: { any: ["thing"] },
  nickname: null,
};

const table = compileValidators(SCHEMA);
const user = table.get("User")!;

Deno.test("compileValidators() accepts a valid body and optional fields absent or null", () => {
  assert.deepEqual(user(VALID), []);
  const { previous: _p, extra: _e, nickname: _n, ...required } = VALID;
  assert.deepEqual(user(required), []);
});

Deno.test("compileValidators() reports every issue with its exact path", () => {
  const issues = user({
    ...VALID,
    id: 1.5,
    name: undefined,
    score: "high",
    born: "yesterday",
    tags: ["a", 2, "c", null],
    address: { zip: 5 },
    previous: [{ street: "ok" }, "nope"],
  });
  assert.deepEqual(issues, [
    { path: "id", message: "Expected an integer, got number" },
    { path: "name", message: "Required field is missing" },
    { path: "score", message: "Expected a number, got string" },
    { path: "born", message: 'Expected an ISO 8601 date-time string, got "yesterday"' },
    { path: "tags[1]", message: "Expected a string, got number" },
    { path: "tags[3]", message: "Expected a string, got null" },
    { path: "address.street", message: "Required field is missing" },
    { path: "address.zip", message: "Expected a string, got number" },
    { path: "previous[1]", message: "Expected an object, got string" },
  ]);
});

Deno.test("compileValidators() checks nested models through the nested validator", () => {
  const issues = table.get("Wrapper")!({ user: { ...VALID, previous: [{ street: 1 }] } });
  assert.deepEqual(issues, [
    { path: "user.previous[0].street", message: "Expected a string, got number" },
    { path: "payload", message: "Required field is missing" },
  ]);
});

Deno.test("compileValidators() accepts any JSON value for Json, but not a missing one", () => {
  const wrapper = table.get("Wrapper")!;
  assert.deepEqual(wrapper({ user: VALID, payload: null, blobs: [1, "a", null, { b: [] }] }), []);
  assert.deepEqual(wrapper({ user: VALID, payload: 0, blobs: "x" }), [
    { path: "blobs", message: "Expected an array, got string" },
  ]);
  assert.deepEqual(table.get("Json")!(undefined), [
    { path: "", message: "Expected a JSON value, got undefined" },
  ]);
});

Deno.test("compileValidators() rejects a non-object body at the root path", () => {
  assert.deepEqual(user([]), [{ path: "", message: "Expected an object, got array" }]);
  assert.deepEqual(user(null), [{ path: "", message: "Expected an object, got null" }]);
});

Deno.test("compileValidators() has a validator for every primitive", () => {
  assert.deepEqual(table.get("String")!("x"), []);
  assert.equal(table.get("Int")!(2.5).length, 1);
  assert.deepEqual(table.get("DateTime")!("2024-01-31T09:30:00.123+02:00"), []);
  assert.equal(table.get("DateTime")!("2024-13-45T99:00:00Z").length, 1);
  assert.deepEqual(table.get("Json")!({ a: [1] }), []);
  assert.equal(table.get("Boolean")!("true").length, 1);
});

/** The date-times of a grid over every part, in range and out of it, in the forms the ISO check takes. */
function dateTimeGrid(): string[] {
  const two = (n: number) => String(n).padStart(2, "0");
  const out: string[] = [];
  for (const year of ["0000", "0001", "1969", "1970", "2024", "2025", "9999"]) {
    for (let month = 0; month < 14; month++) {
      for (let day = 0; day < 33; day++) out.push(`${year}-${two(month)}-${two(day)}T00:00:00Z`);
    }
  }
  for (let hour = 0; hour < 26; hour++) {
    for (let minute = 0; minute < 61; minute += 3) {
      for (let second = 0; second < 61; second++) {
        out.push(`2024-02-29T${two(hour)}:${two(minute)}:${two(second)}Z`);
      }
    }
  }
  for (const sign of ["+", "-"]) {
    for (let hour = 0; hour < 26; hour++) {
      for (let minute = 0; minute < 61; minute++) {
        out.push(`2024-12-31T23:59:59${sign}${two(hour)}:${two(minute)}`);
        out.push(`0000-01-01T00:00:00${sign}${two(hour)}${two(minute)}`);
      }
    }
  }
  for (let digits = 1; digits <= 12; digits++) {
    out.push(`9999-12-31T23:59:59.${"9".repeat(digits)}+23:59`);
    out.push(`2024-01-01t00:00:00.${"0".repeat(digits)}z`);
  }
  for (let year = 0; year < 10_000; year += 7) {
    out.push(`${String(year).padStart(4, "0")}-02-31T23:59:59.999-23:59`);
  }
  out.push("2024-01-01", "2024-01-01 10:00", "2024-01-01T10:00+0530", "2024-02-30T24:00:00Z");
  return out;
}

Deno.test("the DateTime check answers as the ISO form and Date.parse together, and its shortcut only takes dates Date.parse accepts", () => {
  const iso =
    /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?$/;
  const plain = new Function(`return ${PLAIN_DATE_TIME_SOURCE};`)() as RegExp;
  const check = table.get("DateTime")!;
  let shortcut = 0;
  for (const text of dateTimeGrid()) {
    const parses = !Number.isNaN(Date.parse(text));
    if (plain.test(text)) {
      shortcut++;
      assert.ok(parses, `Date.parse refuses ${text}, which the shortcut accepts`);
    }
    assert.equal(check(text).length === 0, iso.test(text) && parses, text);
  }
  assert.ok(shortcut > 10_000);
});

Deno.test("generated validators.ts gives the same answers as compileValidators()", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rohas_validators_" });
  try {
    const file = generateProject(SCHEMA, { language: "typescript" })
      .find((f) => f.path === "src/generated/validators.ts")!;
    await Deno.writeTextFile(`${dir}/validators.ts`, file.content);
    const generated = await import(`file://${dir}/validators.ts`) as {
      validators: ReadonlyMap<string, (value: unknown) => ValidationIssue[]>;
      validateUser: (value: unknown) => ValidationIssue[];
    };
    const bad = { ...VALID, tags: [1], address: null };
    assert.deepEqual(generated.validateUser(bad), user(bad));
    // The table also holds each type's unknown-field checker, which validators.ts does not.
    const checkers = new Set([...table.keys()].map(unknownFieldsKey));
    const validatorKeys = [...table.keys()].filter((key) => !checkers.has(key));
    assert.deepEqual([...generated.validators.keys()], validatorKeys);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
