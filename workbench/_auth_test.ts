import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { checkAccess, constantTimeEquals, isLoopback, providedKey } from "./_auth.ts";

Deno.test("constantTimeEquals() compares whole strings of any length", () => {
  assertEquals(constantTimeEquals("abc", "abc"), true);
  assertEquals(constantTimeEquals("abc", "abd"), false);
  assertEquals(constantTimeEquals("abc", "abcd"), false);
  assertEquals(constantTimeEquals("", ""), true);
  assertEquals(constantTimeEquals("é", "e"), false);
});

Deno.test("providedKey() reads Bearer, ApiKey, then X-API-Key", () => {
  assertEquals(providedKey(new Headers({ authorization: "Bearer k1" })), "k1");
  assertEquals(providedKey(new Headers({ authorization: "apikey k2" })), "k2");
  assertEquals(providedKey(new Headers({ authorization: "Basic x", "x-api-key": "k3" })), "k3");
  assertEquals(providedKey(new Headers()), "");
});

Deno.test("isLoopback() accepts 127/8 and ::1 only", () => {
  for (const h of ["127.0.0.1", "127.9.9.9", "::1", "[::1]", "::ffff:127.0.0.1"]) {
    assertEquals(isLoopback(h), true, h);
  }
  for (const h of ["10.0.0.1", "128.0.0.1", "::2", "localhost", undefined]) {
    assertEquals(isLoopback(h), false, String(h));
  }
});

Deno.test("checkAccess() without a key admits loopback in dev only", () => {
  const request = new Request("http://127.0.0.1:3000/api/workbench/data");
  const policy = { apiKey: "", allowedOrigins: [], dev: true };
  assertEquals(checkAccess(request, "127.0.0.1", policy).ok, true);
  assertEquals(checkAccess(request, "10.0.0.2", policy).ok, false);
  assertEquals(checkAccess(request, "127.0.0.1", { ...policy, dev: false }).ok, false);
});
