import assert from "node:assert/strict";
import { parsePattern } from "./app_model.ts";
import { RouteConflictError } from "./errors.ts";
import { TrieRouter } from "./router.ts";

function router() {
  const r = new TrieRouter<string>();
  r.add("GET", parsePattern("/users"), "list", "/users");
  r.add("POST", parsePattern("/users"), "create", "/users");
  r.add("GET", parsePattern("/users/{id}"), "get", "/users/{id}");
  r.add("GET", parsePattern("/users/me"), "me", "/users/me");
  r.add(
    "GET",
    parsePattern("/users/:userId/posts/{postId}"),
    "post",
    "/users/:userId/posts/{postId}",
  );
  r.add("GET", parsePattern("/"), "root", "/");
  return r;
}

Deno.test("TrieRouter matches literals before parameters", () => {
  assert.deepEqual(router().match("GET", "/users/me"), { kind: "found", value: "me", params: {} });
  assert.deepEqual(router().match("GET", "/users/42"), {
    kind: "found",
    value: "get",
    params: { id: "42" },
  });
});

Deno.test("TrieRouter captures {id} and :id segments percent-decoded", () => {
  assert.deepEqual(router().match("GET", "/users/a%20b/posts/caf%C3%A9"), {
    kind: "found",
    value: "post",
    params: { userId: "a b", postId: "café" },
  });
});

Deno.test("TrieRouter refuses a parameter holding an encoded / or a whole . or .. segment", () => {
  assert.deepEqual(router().match("GET", "/users/..%2F..%2Fetc%2Fpasswd/posts/1"), {
    kind: "bad_path",
    reason: 'Path parameter "userId" contains an encoded "/" (%2F)',
  });
  assert.deepEqual(router().match("GET", "/users/a%2fb"), {
    kind: "bad_path",
    reason: 'Path parameter "id" contains an encoded "/" (%2F)',
  });
  assert.deepEqual(router().match("GET", "/users/.."), {
    kind: "bad_path",
    reason: 'Path parameter "id" cannot be ".."',
  });
  assert.equal(router().match("GET", "/users/%2E").kind, "bad_path");
  assert.deepEqual(router().match("GET", "/users/..a"), {
    kind: "found",
    value: "get",
    params: { id: "..a" },
  });
});

Deno.test("TrieRouter lets HEAD follow GET and reports allowed methods", () => {
  assert.equal(router().match("HEAD", "/users").kind, "found");
  assert.deepEqual(router().match("DELETE", "/users"), {
    kind: "method_not_allowed",
    allow: ["GET", "HEAD", "POST"],
  });
});

Deno.test("TrieRouter is exact: trailing slashes, empty params and unknown paths do not match", () => {
  const r = router();
  assert.equal(r.match("GET", "/users/").kind, "not_found");
  assert.equal(r.match("GET", "/users//posts/1").kind, "not_found");
  assert.equal(r.match("GET", "/Users").kind, "not_found");
  assert.equal(r.match("GET", "/").kind, "found");
});

Deno.test("TrieRouter reports malformed percent-encoding instead of throwing", () => {
  assert.equal(router().match("GET", "/users/%E0%A4%A").kind, "bad_path");
});

Deno.test("TrieRouter.add() rejects a second route with the same method and shape", () => {
  const r = router();
  assert.throws(
    () => r.add("GET", parsePattern("/users/:other"), "dup", "/users/:other"),
    (e) => e instanceof RouteConflictError && /"GET \/users\/:other"/.test(e.message),
  );
});

Deno.test("TrieRouter answers a path without params the same whether its text is encoded or not", () => {
  const r = router();
  r.add("POST", parsePattern("/users/me"), "update-me", "/users/me");
  // The exact-path table and the trie agree: encoded literals, HEAD, and another method.
  assert.deepEqual(r.match("GET", "/users/m%65"), { kind: "found", value: "me", params: {} });
  assert.deepEqual(r.match("HEAD", "/users/me"), { kind: "found", value: "me", params: {} });
  assert.deepEqual(r.match("POST", "/users/me"), { kind: "found", value: "update-me", params: {} });
  // A literal path with no route for the method still wins over the {id} sibling: 405.
  assert.deepEqual(r.match("DELETE", "/users/me"), {
    kind: "method_not_allowed",
    allow: ["GET", "HEAD", "POST"],
  });
  // Each match gets params of its own.
  const first = r.match("GET", "/users");
  assert.ok(first.kind === "found");
  first.params.x = "changed";
  assert.deepEqual(r.match("GET", "/users"), { kind: "found", value: "list", params: {} });
});

Deno.test("TrieRouter matches a literal holding % against the decoded path only", () => {
  const r = new TrieRouter<string>();
  r.add("GET", parsePattern("/100%"), "percent", "/100%");
  assert.deepEqual(r.match("GET", "/100%25"), { kind: "found", value: "percent", params: {} });
  assert.equal(r.match("GET", "/100%").kind, "bad_path");
});
