import assert from "node:assert/strict";
import { ADMIT_HEADER, TICKET_HEADER } from "../socket_hub.ts";
import { createProxy, forwardsMethod, forwardsPath } from "./_proxy.ts";

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

Deno.test("createProxy: a frame the engine sends before the client's socket opens still reaches the client", async () => {
  // The engine: admits with a ticket, then greets each socket the moment it opens.
  const engine = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    if (request.headers.get(ADMIT_HEADER) === "1") {
      return new Response(null, { status: 204, headers: { [TICKET_HEADER]: "t" } });
    }
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onopen = () => socket.send("welcome");
    return response;
  });
  const proxy = createProxy({ url: `http://127.0.0.1:${engine.addr.port}`, token: "k" });
  // The edge answers the upgrade late, so the engine's greeting is in before the client opens.
  const upstreamGreeted = Promise.withResolvers<void>();
  const edge = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const response = await proxy(request);
    await new Promise((resolve) => setTimeout(resolve, 200));
    upstreamGreeted.resolve();
    return response;
  });
  const client = new WebSocket(`ws://127.0.0.1:${edge.addr.port}/ws`);
  const first = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("The greeting never came")), 3_000);
    client.onmessage = (event) => {
      clearTimeout(timer);
      resolve(String(event.data));
    };
  });
  const closed = new Promise((resolve) => client.addEventListener("close", resolve));
  try {
    await upstreamGreeted.promise;
    assert.equal(await first, "welcome");
  } finally {
    client.close();
    await closed;
    await edge.shutdown();
    await engine.shutdown();
  }
});
