// The workbench behind edges: an edge forwards what it does not serve to the main process over
// loopback, so the main process must check the Host the client sent, not the one of that hop.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { startServer } from "../engine/_server.ts";
import { rawHttp } from "../engine/_raw_http.ts";

Deno.test("behind edges, a DNS-rebinding request to the key-less dev workbench still gets 403", async () => {
  await using server = await startServer({
    args: ["--workbench"],
    prepare: async (dir) => {
      const file = `${dir}/config/rohas.toml`;
      const config = await Deno.readTextFile(file);
      await Deno.writeTextFile(file, config.replace("[server]\n", "[server]\nworkers = 2\n"));
    },
  });
  await server.waitFor(/2 edge processes on the port/);
  const evil = `evil.test:${server.port}`;
  for (let i = 0; i < 6; i++) {
    // Several connections: reusePort spreads them over the edges.
    const rebound = await rawHttp(server.url, {
      path: "/api/workbench/snapshot",
      headers: { host: evil },
    });
    assertEquals(rebound.status, 403, rebound.body.slice(0, 200));
    const own = await rawHttp(server.url, { path: "/api/workbench/endpoints" });
    assertEquals(own.status, 200, own.body.slice(0, 200));
  }
});
