import assert from "node:assert/strict";
import { forwardsMethod, forwardsPath } from "./_proxy.ts";

Deno.test("forwardsMethod: fetch keeps upper-case and unknown methods, not TRACE nor a lower-case GET", () => {
  for (const method of ["GET", "POST", "PATCH", "DELETE", "BREW", "patch", "brew", "M-SEARCH"]) {
    assert.ok(forwardsMethod(method), method);
  }
  for (const method of ["TRACE", "trace", "TRACK", "CONNECT", "get", "Post", "options", "put"]) {
    assert.ok(!forwardsMethod(method), method);
  }
});

Deno.test("forwardsPath: fetch keeps canonical paths, not dot segments, backslashes or a // host", () => {
  for (const path of ["/", "/users/7", "/%ZZ", "/a%2Fb", "//x", "/files/a.b"]) {
    assert.ok(forwardsPath(path), path);
  }
  for (const path of ["/users/..", "/a/./b", "/%2e%2e/x", "/a\\b", "/a b", "/é"]) {
    assert.ok(!forwardsPath(path), path);
  }
});
