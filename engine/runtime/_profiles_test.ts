import { deepStrictEqual as assertEquals, notDeepStrictEqual } from "node:assert/strict";
import { overrideTable, resolveProfile } from "./_profiles.ts";
import { permissionsWith } from "./_test_helpers.ts";

Deno.test("resolveProfile() resolves relative paths against the root and always reads src", () => {
  const section = permissionsWith({ writer: { write: ["data", "/var/tmp"], read: false } });
  const { permissions } = resolveProfile(section, "writer", "/app");
  assertEquals(permissions.write, ["/app/data", "/var/tmp"]);
  assertEquals(permissions.read, ["/app/src"]);
  assertEquals(permissions.net, true);
  assertEquals(resolveProfile(section, "default", "/app").permissions.read, ["/app", "/app/src"]);
});

Deno.test("resolveProfile() gives equal permission sets equal keys", () => {
  const section = permissionsWith({ same: { net: true }, other: { env: ["HOME"] } });
  const base = resolveProfile(section, "default", "/app").key;
  assertEquals(resolveProfile(section, "same", "/app").key, base);
  assertEquals(resolveProfile(section, "unknown_handler", "/app").key, base);
  notDeepStrictEqual(resolveProfile(section, "other", "/app").key, base);
});

Deno.test("overrideTable() names the handler's own table", () => {
  assertEquals(overrideTable("default", "ReadSecret"), "[permissions.handlers.ReadSecret]");
  assertEquals(overrideTable("read_secret", "ReadSecret"), "[permissions.handlers.read_secret]");
});
