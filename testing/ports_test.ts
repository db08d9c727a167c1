import { deepStrictEqual as assertEquals, notStrictEqual, ok } from "node:assert/strict";
import { freePort, freePorts } from "./ports.ts";

const EPHEMERAL_LOW = Number(
  Deno.readTextFileSync("/proc/sys/net/ipv4/ip_local_port_range").trim().split(/\s+/)[0],
);

Deno.test("freePorts() gives different ports, free and below the ephemeral range", () => {
  const ports = freePorts(20);
  assertEquals(new Set(ports).size, 20);
  for (const port of ports) {
    ok(port < EPHEMERAL_LOW && port >= EPHEMERAL_LOW - 6_000, `${port}`);
    Deno.listen({ hostname: "127.0.0.1", port }).close();
  }
});

Deno.test("freePort() passes over a port something listens on", () => {
  const first = freePort();
  // The walk goes up by one: hold the next ports, and the pick must step past them.
  const held = [first + 1, first + 2].map((port) => Deno.listen({ hostname: "127.0.0.1", port }));
  try {
    const picked = freePort();
    for (const listener of held) {
      notStrictEqual(picked, (listener.addr as Deno.NetAddr).port);
    }
  } finally {
    for (const listener of held) listener.close();
  }
});
