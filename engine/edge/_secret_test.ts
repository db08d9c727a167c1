import assert from "node:assert/strict";
import { randomSecret, sameSecret } from "./_secret.ts";

Deno.test("randomSecret gives 64 hex digits, a new one each time", () => {
  const a = randomSecret();
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.notEqual(randomSecret(), a);
});

Deno.test("sameSecret accepts only the very secret", () => {
  const secret = randomSecret();
  assert.ok(sameSecret(secret, secret));
  assert.ok(!sameSecret(secret, ""));
  assert.ok(!sameSecret(secret, secret.slice(0, -1)));
  assert.ok(!sameSecret(secret, `${secret.slice(0, -1)}${secret.endsWith("0") ? "1" : "0"}`));
});
