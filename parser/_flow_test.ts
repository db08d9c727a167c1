import assert from "node:assert/strict";
import { parseSchema } from "./parse.ts";

const SOURCE = `type P { user: String }
event E {
  payload: P
  handler: [a, b]
  on a {
    concurrency: 2 by user
    debounce: 250ms
  }
}`;

Deno.test("an event without flow blocks keeps its original JSON shape", () => {
  const { schema, diagnostics } = parseSchema(
    "type P { x: Int }\nevent E { payload: P handler: [a, b] }",
  );
  assert.deepEqual(diagnostics, []);
  assert.equal("flow" in schema.events[0]!, false);
  assert.deepEqual(schema.events[0]!.handlers, ["a", "b"]);
});

Deno.test("flow controls record the handler's and each control's position", () => {
  const { schema, locations } = parseSchema(SOURCE, { file: "e.ro" });
  const flow = schema.events[0]!.flow![0]!;
  assert.deepEqual(flow, {
    handler: "a",
    concurrency: { limit: 2, key: "user" },
    debounce: { period_ms: 250, edge: "trailing" },
  });
  const location = locations.get(flow)!;
  assert.deepEqual([location.name.line, location.name.column], [5, 6]);
  assert.deepEqual([location.properties.debounce?.line, location.properties.debounce?.column], [
    7,
    15,
  ]);
  assert.deepEqual(location.properties["concurrency.by"]?.column, 23);
});

Deno.test("an error inside a flow block leaves the rest of the block and the next event parsed", () => {
  const source = `type P { user: String }
event E { payload: P handler: [a] on a { rate: ten per 1s delay: 1s } }
event F { payload: P handler: [f] }`;
  const { schema, diagnostics } = parseSchema(source);
  assert.deepEqual(diagnostics.map((d) => [d.code, d.line, d.column]), [["syntax-error", 2, 48]]);
  assert.deepEqual(schema.events[0]!.flow, [{ handler: "a", delay_ms: 1000 }]);
  assert.deepEqual(schema.events.map((e) => e.name), ["E", "F"]);
});

Deno.test("a handler named on still parses as a handler list item and a property key stays an error", () => {
  const { schema, diagnostics } = parseSchema(
    "type P { x: Int }\nevent E { payload: P handler: [on] on: 1 }",
  );
  assert.deepEqual(schema.events[0]!.handlers, ["on"]);
  assert.deepEqual(diagnostics.map((d) => d.code), ["syntax-error"]);
});

Deno.test("ordered: false is recorded and a value other than true or false is an error at the value", () => {
  const parsed = parseSchema(
    "type P { x: Int }\nevent E { payload: P handler: [a] on a { ordered: false } }",
  );
  assert.deepEqual(parsed.diagnostics, []);
  assert.deepEqual(parsed.schema.events[0]!.flow, [{ handler: "a", ordered: false }]);
  const wrong = parseSchema(
    "type P { x: Int }\nevent E { payload: P handler: [a] on a { ordered: 0 } }",
  );
  assert.deepEqual(wrong.diagnostics.map((d) => [d.code, d.line, d.column]), [
    ["invalid-flow-control", 2, 51],
  ]);
});
