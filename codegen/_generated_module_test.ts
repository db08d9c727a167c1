import assert from "node:assert/strict";
import { emptySchema, type FieldType, type Schema } from "../parser/mod.ts";
import { SchemaIndex } from "./_schema_index.ts";
import { PyModule } from "./_py_module.ts";
import { TsModule } from "./_ts_module.ts";

function schemaWithUser(): Schema {
  const schema = emptySchema();
  schema.models.push({ name: "User", fields: [], attributes: [] });
  schema.inputs.push({ name: "CreateUser", fields: [] });
  return schema;
}

Deno.test("TsModule.field() maps types as the original's T6 test: Int, String, Boolean, String[]", () => {
  const m = new TsModule("api", new SchemaIndex(emptySchema()), { declared: [] });
  const cases: [FieldType, string][] = [
    ["Int", "number"],
    ["String", "string"],
    ["Boolean", "boolean"],
    [{ Array: "String" }, "string[]"],
    ["Float", "number"],
    ["DateTime", "string"],
    ["Json", "unknown"],
  ];
  assert.deepEqual(cases.map(([type]) => m.field(type)), cases.map(([, ts]) => ts));
});

Deno.test("PyModule.field() maps types as the original's T7 test, with typing.List for lists", () => {
  const m = new PyModule("api", new SchemaIndex(emptySchema()), { declared: [] });
  const cases: [FieldType, string][] = [
    ["Int", "int"],
    ["String", "str"],
    ["Boolean", "bool"],
    [{ Array: "Int" }, "List[int]"],
    ["DateTime", "datetime"],
    ["Json", "Any"],
  ];
  assert.deepEqual(cases.map(([type]) => m.field(type)), cases.map(([, py]) => py));
  assert.equal(m.usesDatetime, true);
  assert.deepEqual([...m.typing].sort(), ["Any", "List"]);
});

Deno.test("generated modules import models and DTOs relative to their own folder", () => {
  const index = new SchemaIndex(schemaWithUser());
  const ts = new TsModule("api", index, { declared: [] });
  assert.equal(ts.field({ Array: { Custom: "User" } }), "User[]");
  assert.equal(ts.named("CreateUser"), "CreateUser");
  assert.deepEqual(ts.imports.entries().map((e) => e.module), [
    "../dto/create_user.ts",
    "../models/user.ts",
  ]);
  const py = new PyModule("models", index, { declared: [] });
  assert.equal(py.named("User"), "User");
  assert.equal(py.named("CreateUser"), "CreateUser");
  assert.deepEqual(py.importLines(), [
    "from ..dto.create_user import CreateUser",
    "from .user import User",
  ]);
});

Deno.test("a module refers to the type it defines by name, and aliases a clashing import", () => {
  const index = new SchemaIndex(schemaWithUser());
  const self = new TsModule("models", index, { declared: ["User"], self: "User" });
  assert.equal(self.named("User"), "User");
  assert.deepEqual(self.imports.entries(), []);
  const clash = new TsModule("api", index, { declared: ["User"] });
  assert.equal(clash.named("User"), "UserType");
  assert.match(
    clash.render(),
    /^import type \{ User as UserType \} from "\.\.\/models\/user\.ts";$/m,
  );
});

Deno.test("an undefined type name is unknown in TypeScript and Any in Python", () => {
  const index = new SchemaIndex(emptySchema());
  assert.equal(new TsModule("", index, { declared: [] }).named("Missing"), "unknown");
  const py = new PyModule("api", index, { declared: [] });
  assert.equal(py.named("Missing"), "Any");
  assert.deepEqual([...py.typing], ["Any"]);
});
