import assert from "node:assert/strict";
import {
  bodyPlan,
  headersRecord,
  isJsonBodyType,
  parseQuery,
  readJsonBody,
  splitUrl,
  validateValue,
} from "./_http_util.ts";
import type { ValidationIssue } from "./parts.ts";

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

Deno.test("validateValue() sorts issues and skips types without a validator", () => {
  const validators = new Map([
    ["User", (value: unknown): ValidationIssue[] =>
      value === "ok" ? [] : [
        { path: "name", message: "expected a string" },
        { path: "age", message: "expected a number" },
      ]],
  ]);
  assert.deepEqual(validateValue("bad", { validators, type: "User" }), [
    { path: "age", message: "expected a number" },
    { path: "name", message: "expected a string" },
  ]);
  assert.equal(validateValue("ok", { validators, type: "User" }), null);
  assert.deepEqual(validateValue(undefined, { validators, type: "User" }), [
    { path: "", message: "Request body is required" },
  ]);
  assert.equal(validateValue("bad", { validators, type: "Unknown" }), null);
  assert.equal(validateValue("bad", { validators, type: null }), null);
});

Deno.test("readJsonBody() reads a declared body, an empty one, and refuses one over the limit", async () => {
  const post = (body: string) => new Request("http://h/", { method: "POST", body });
  assert.deepEqual(await readJsonBody(post('{"a":[1,"é"]}'), { limit: 100, length: "14" }), {
    kind: "ok",
    value: { a: [1, "é"] },
  });
  assert.deepEqual(await readJsonBody(post(""), { limit: 100, length: "0" }), { kind: "empty" });
  assert.deepEqual(await readJsonBody(post("{}"), { limit: 1, length: "2" }), {
    kind: "too_large",
  });
  const bad = await readJsonBody(post("{nope"), { limit: 100, length: "5" });
  assert.equal(bad.kind, "invalid");
  assert.match(bad.kind === "invalid" ? bad.message : "", /^Malformed JSON body: /);
});

Deno.test("readJsonBody() streams a body of unknown length and stops past the limit", async () => {
  const streamed = (...chunks: string[]) =>
    new Request("http://h/", {
      method: "POST",
      body: ReadableStream.from(chunks.map((c) => new TextEncoder().encode(c))),
    });
  assert.deepEqual(await readJsonBody(streamed('{"a":', "1}"), { limit: 100 }), {
    kind: "ok",
    value: { a: 1 },
  });
  assert.deepEqual(await readJsonBody(streamed(), { limit: 100 }), { kind: "empty" });
  assert.deepEqual(await readJsonBody(streamed("[1,", "2,3]"), { limit: 4 }), {
    kind: "too_large",
  });
});

Deno.test("headersRecord() gives lower-case names and joins repeated headers", () => {
  const headers = new Headers([["X-One", "1"], ["accept", "a"], ["Accept", "b"]]);
  assert.deepEqual(headersRecord(headers), { accept: "a, b", "x-one": "1" });
});

Deno.test("bodyPlan() reads a declared length in one go, streams an unknown one, skips GET and HEAD", () => {
  const limit = 10;
  assert.equal(bodyPlan({ method: "POST", length: "5", limit }), "json");
  assert.equal(bodyPlan({ method: "PUT", length: "0", limit }), "empty");
  assert.equal(bodyPlan({ method: "POST", length: "11", limit }), "too_large");
  assert.equal(bodyPlan({ method: "POST", length: undefined, limit }), "stream");
  assert.equal(bodyPlan({ method: "GET", length: "5", limit }), "empty");
  assert.equal(bodyPlan({ method: "HEAD", length: undefined, limit }), "empty");
});

Deno.test("isJsonBodyType() accepts JSON media types, and no type only from a non-browser client", () => {
  const ok = (headers: Record<string, string>) => isJsonBodyType(headers);
  assert.equal(ok({ "content-type": "application/json" }), true);
  assert.equal(ok({ "content-type": "Application/JSON; charset=utf-8" }), true);
  assert.equal(ok({ "content-type": "application/vnd.api+json" }), true);
  assert.equal(ok({ "content-type": "text/plain;charset=UTF-8" }), false);
  assert.equal(ok({ "content-type": "application/x-www-form-urlencoded" }), false);
  assert.equal(ok({ "content-type": "multipart/form-data; boundary=x" }), false);
  assert.equal(ok({ "content-type": "application/jsonp" }), false);
  assert.equal(ok({ "content-type": "text/json+json" }), false);
  assert.equal(ok({}), true);
  assert.equal(ok({ origin: "https://any.test" }), false);
});
