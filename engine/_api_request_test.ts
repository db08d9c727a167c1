import assert from "node:assert/strict";
import { handlerRequest } from "./_api_request.ts";

const query = { tag: "x" };
const headers = { host: "app.test" };

Deno.test("a handler's request lists path params, then body, query params and headers", () => {
  const route = { params: ["id"], bodyType: "Input" };
  const request = handlerRequest({ route, params: { id: "7" }, query, headers }, { a: 1 });
  assert.deepEqual(Object.entries(request), [
    ["id", "7"],
    ["body", { a: 1 }],
    ["queryParams", query],
    ["headers", headers],
  ]);
});

Deno.test("a handler's request on a route without params has the same keys in the same order", () => {
  const typed = handlerRequest({
    route: { params: [], bodyType: "Input" },
    params: {},
    query,
    headers,
  }, null);
  assert.deepEqual(Object.entries(typed), [["body", null], ["queryParams", query], [
    "headers",
    headers,
  ]]);
  const untyped = handlerRequest({
    route: { params: [], bodyType: null },
    params: {},
    query,
    headers,
  }, {
    ignored: true,
  });
  assert.deepEqual(Object.keys(untyped), ["queryParams", "headers"]);
  assert.equal(Object.getPrototypeOf(untyped), Object.prototype);
});

Deno.test("a path param named like a request key is overridden by that key, as before", () => {
  const route = { params: ["body"], bodyType: "Input" };
  const request = handlerRequest({ route, params: { body: "p" }, query, headers }, { a: 1 });
  assert.deepEqual(request.body, { a: 1 });
  assert.deepEqual(Object.keys(request), ["body", "queryParams", "headers"]);
});
