import assert from "node:assert/strict";
import { parseQuery, splitUrl } from "./_http_util.ts";

Deno.test("splitUrl() separates the raw path and query without decoding", () => {
  assert.deepEqual(splitUrl("http://h:1/a%20b/c?x=1&y#frag"), {
    pathname: "/a%20b/c",
    search: "?x=1&y",
  });
  assert.deepEqual(splitUrl("http://h"), { pathname: "/", search: "" });
  assert.deepEqual(splitUrl("http://h/p#f?not-query"), { pathname: "/p", search: "" });
});

Deno.test("parseQuery() decodes + and percent, keeps repeated keys as arrays", () => {
  assert.deepEqual(parseQuery("?a=1&a=2&a=3&b=x+y&c=%C3%A9&d"), {
    a: ["1", "2", "3"],
    b: "x y",
    c: "é",
    d: "",
  });
  assert.deepEqual(parseQuery(""), {});
});
