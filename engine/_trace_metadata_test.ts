import assert from "node:assert/strict";
import { requestMetadata } from "./_trace_metadata.ts";

const at = Date.parse("2026-01-02T03:04:05.000Z");

Deno.test("requestMetadata() prefers a proxy header's address to the peer's", () => {
  const request = {
    method: "POST",
    headers: {
      "x-forwarded-for": "203.0.113.7, 10.0.0.1",
      "user-agent": "curl/8",
      "cf-ipcity": "Oslo",
    },
  };
  const info = { remoteAddr: { hostname: "127.0.0.1", port: 5000 } };
  assert.deepEqual(requestMetadata(request, "/users/:id", { info, startedMs: at }), {
    method: "POST",
    path: "/users/:id",
    datetime_utc: "2026-01-02T03:04:05.000Z",
    ip_address: "203.0.113.7",
    user_agent: "curl/8",
    city: "Oslo",
    location: "Oslo, ",
  });
});

Deno.test("requestMetadata() falls back to the peer address and omits what is unknown", () => {
  const info = { remoteAddr: { hostname: "127.0.0.1", port: 5000 } };
  const request = { method: "GET", headers: {} };
  assert.deepEqual(requestMetadata(request, "/hello", { info, startedMs: at }), {
    method: "GET",
    path: "/hello",
    datetime_utc: "2026-01-02T03:04:05.000Z",
    ip_address: "127.0.0.1",
  });
  assert.equal(requestMetadata(request, "/hello").ip_address, undefined);
});

Deno.test("requestMetadata() does not ask for the peer address when a proxy header names the client", () => {
  let asked = 0;
  // On a served request the peer address is an op per read; a proxy header makes it unneeded.
  const info = {
    get remoteAddr() {
      asked++;
      return { hostname: "127.0.0.1", port: 5000 };
    },
  };
  const proxied = { method: "GET", headers: { "x-real-ip": "198.51.100.4" } };
  assert.equal(requestMetadata(proxied, "/hello", { info }).ip_address, "198.51.100.4");
  assert.equal(asked, 0);
  assert.equal(
    requestMetadata({ method: "GET", headers: {} }, "/hello", { info }).ip_address,
    "127.0.0.1",
  );
  assert.equal(asked, 1);
});
