import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  checkAccess,
  constantTimeEquals,
  isAllowedHost,
  isLoopback,
  providedKey,
} from "./_auth.ts";

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
  const policy = { apiKey: "", allowedOrigins: [], allowedHosts: [], dev: true };
  assertEquals(
    checkAccess(request, { peer: "127.0.0.1", host: "127.0.0.1:3000" }, policy).ok,
    true,
  );
  assertEquals(
    checkAccess(request, { peer: "10.0.0.2", host: "127.0.0.1:3000" }, policy).ok,
    false,
  );
  assertEquals(
    checkAccess(request, { peer: "127.0.0.1", host: "127.0.0.1:3000" }, {
      ...policy,
      dev: false,
    }).ok,
    false,
  );
});

Deno.test("isAllowedHost() accepts localhost and IP literals on any port, other names only if listed", () => {
  for (const h of ["localhost", "LOCALHOST:3000", "127.0.0.1:3000", "[::1]:3000", "10.0.0.5"]) {
    assertEquals(isAllowedHost(h, []), true, h);
  }
  for (const h of ["evil.test:3000", "localhost.evil.test", "127.0.0.1.nip.io:3000", ""]) {
    assertEquals(isAllowedHost(h, []), false, h);
  }
  const listed = ["rohas.example.com", "admin.example.com:8443"];
  assertEquals(isAllowedHost("rohas.example.com:3000", listed), true);
  assertEquals(isAllowedHost("admin.example.com:8443", listed), true);
  assertEquals(isAllowedHost("admin.example.com:3000", listed), false);
  assertEquals(isAllowedHost("example.com", listed), false);
});

Deno.test("checkAccess() refuses a rebound Host even from loopback with its own Origin", () => {
  const policy = { apiKey: "", allowedOrigins: [], allowedHosts: [], dev: true };
  const rebound = new Request("http://evil.test:3000/api/workbench/snapshot", {
    headers: { origin: "http://evil.test:3000" },
  });
  assertEquals(checkAccess(rebound, { peer: "127.0.0.1", host: "evil.test:3000" }, policy), {
    ok: false,
    status: 403,
    message: 'Host "evil.test:3000" is not allowed: add it to [workbench] allowed_hosts',
  });
  const listed = { ...policy, allowedHosts: ["evil.test"] };
  assertEquals(
    checkAccess(rebound, { peer: "127.0.0.1", host: "evil.test:3000" }, listed).ok,
    true,
  );
});
