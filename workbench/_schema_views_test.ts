import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { emptySchema, parseSchema } from "../parser/mod.ts";
import { exampleOf, jsonSchemaOf, schemaGraph } from "./_schema_views.ts";

function schemaWithCycle() {
  const schema = emptySchema();
  schema.models.push({
    name: "Node",
    attributes: [],
    fields: [
      { name: "name", field_type: "String", optional: false, attributes: [] },
      { name: "next", field_type: { Custom: "Node" }, optional: true, attributes: [] },
      { name: "tags", field_type: { Array: "String" }, optional: false, attributes: [] },
    ],
  });
  return schema;
}

Deno.test("jsonSchemaOf() expands custom types and stops at a cycle", () => {
  assertEquals(jsonSchemaOf(schemaWithCycle(), "Node"), {
    type: "object",
    properties: {
      name: { type: "string" },
      next: { type: "object" },
      tags: { type: "array", items: { type: "string" } },
    },
    required: ["name", "tags"],
  });
  assertEquals(jsonSchemaOf(schemaWithCycle(), "Missing"), null);
});

Deno.test("exampleOf() seeds a value of the schema's shape", () => {
  const schema = jsonSchemaOf(schemaWithCycle(), "Node")!;
  assertEquals(exampleOf(schema), { name: "", next: {}, tags: [] });
});

Deno.test("schemaGraph() links a model to itself without duplicating nodes or edges", () => {
  const graph = schemaGraph(schemaWithCycle());
  assertEquals(graph.nodes.map((n) => n.id), ["model:Node"]);
  assertEquals(graph.edges.map((e) => e.id), ["model:Node->model:Node:references"]);
});

Deno.test("schemaGraph() draws a middleware as a middleware guarding its API and WebSocket", () => {
  const { schema } = parseSchema(`
api Secret {
  method: GET
  path: "/secret"
  response: Json
  middlewares: [auth]
}
ws Chat {
  path: "/ws"
  onMessage: [chat]
  middlewares: [auth]
}
`);
  const graph = schemaGraph(schema);
  const auth = graph.nodes.find((n) => n.label === "auth");
  assertEquals([auth?.id, auth?.kind, auth?.type], ["middleware:auth", "middleware", "handler"]);
  assertEquals(graph.edges.filter((e) => e.relation === "guards").map((e) => e.id), [
    "middleware:auth->api:Secret:guards",
    "middleware:auth->websocket:Chat:guards",
  ]);
  assertEquals(graph.nodes.some((n) => n.id === "handler:auth"), false);
});
