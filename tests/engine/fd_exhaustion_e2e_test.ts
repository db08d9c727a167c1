// Slow clients that hold every file descriptor make Deno's accept loop fail ("Too many open
// files"), which stops it for good; the server must listen again once descriptors are free.
import assert from "node:assert/strict";
import { startServer } from "./_server.ts";

async function holdSockets(port: number, max: number): Promise<Deno.TcpConn[]> {
  const held: Deno.TcpConn[] = [];
  const partial = new TextEncoder().encode("GET /hello HTTP/1.1\r\nhost: x\r\nx-slow: ");
  for (let i = 0; i < max; i++) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await conn.write(partial);
      held.push(conn);
    } catch {
      break; // The listener is gone or the backlog is full: the descriptors ran out.
    }
  }
  return held;
}

for (const command of ["dev", "start"] as const) {
  Deno.test(`rohas ${command} serves again after slow clients exhausted its file descriptors`, async () => {
    await using server = await startServer({
      command,
      fileLimit: 256,
    });
    // Under start each edge process has the limit of its own: enough sockets to exhaust them all.
    const held = await holdSockets(server.port, command === "dev" ? 400 : 1_500);
    assert.ok(held.length > 50, `only ${held.length} sockets were accepted`);
    // Give the accept loop time to hit the limit, then free every descriptor.
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const conn of held) conn.close();
    let status = 0;
    for (let attempt = 0; attempt < 100 && status !== 200; attempt++) {
      try {
        const res = await fetch(`${server.url}/hello`);
        await res.body?.cancel();
        status = res.status;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    assert.equal(status, 200, server.output());
  });
}
