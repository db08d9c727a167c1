import assert from "node:assert/strict";
import { LineChannel } from "./_channel.ts";

/** A connected pair of loopback sockets. */
async function socketPair(): Promise<[Deno.TcpConn, Deno.TcpConn]> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [a, b] = await Promise.all([
    Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
    listener.accept(),
  ]);
  return [a, b];
}

Deno.test("LineChannel: messages sent in one turn arrive in order, however the bytes are split", async () => {
  const [a, b] = await socketPair();
  const got: unknown[] = [];
  const all = Promise.withResolvers<void>();
  const receiver = new LineChannel<unknown, unknown>(b, (message) => {
    got.push(message);
    if (got.length === 3) all.resolve();
  }, { maxLine: 1024 });
  // A line split across writes (and so across chunks), then two lines in one write, with text
  // whose UTF-8 is split mid-character.
  const encoder = new TextEncoder();
  const first = encoder.encode(`${JSON.stringify({ n: 1, text: "café ☕" })}\n`);
  await a.write(first.subarray(0, 14));
  await a.write(first.subarray(14));
  await a.write(encoder.encode(`${JSON.stringify({ n: 2 })}\n${JSON.stringify({ n: 3 })}\n`));
  await all.promise;
  assert.deepEqual(got, [{ n: 1, text: "café ☕" }, { n: 2 }, { n: 3 }]);
  a.close();
  await receiver.closed;
  await receiver.close();
});

Deno.test("LineChannel: send batches a turn's messages, and closed settles when the peer goes", async () => {
  const [a, b] = await socketPair();
  const got: number[] = [];
  const done = Promise.withResolvers<void>();
  const receiver = new LineChannel<number, number>(b, (n) => {
    got.push(n);
    if (got.length === 1000) done.resolve();
  }, { maxLine: 1024 });
  const sender = new LineChannel<number, number>(a, () => {}, { maxLine: 1024 });
  for (let i = 0; i < 1000; i++) sender.send(i);
  await done.promise;
  assert.deepEqual(got, Array.from({ length: 1000 }, (_, i) => i));
  await sender.close();
  await receiver.closed;
  await receiver.close();
  await sender.closed;
});

Deno.test("LineChannel: a line longer than the limit closes the channel before it is held whole", async () => {
  const [a, b] = await socketPair();
  const got: unknown[] = [];
  const receiver = new LineChannel<unknown, unknown>(b, (m) => got.push(m), { maxLine: 64 });
  const chunk = new TextEncoder().encode("x".repeat(1 << 16));
  let written = 0;
  try {
    while (written < 64 << 20) written += await a.write(chunk);
  } catch (error) {
    assert.ok(
      error instanceof Deno.errors.BrokenPipe || error instanceof Deno.errors.ConnectionReset,
      String(error),
    );
  }
  await receiver.closed;
  assert.ok(written < 16 << 20, `${written} bytes written before the channel closed`);
  assert.deepEqual(got, []);
  a.close();
});

Deno.test("LineChannel: a short line passes the limit, and a raised limit takes longer lines", async () => {
  const [a, b] = await socketPair();
  const got: string[] = [];
  const two = Promise.withResolvers<void>();
  const receiver = new LineChannel<string, string>(b, (m) => {
    got.push(m);
    receiver.maxLine = 1024;
    if (got.length === 2) two.resolve();
  }, { maxLine: 16 });
  const encoder = new TextEncoder();
  await a.write(encoder.encode(`${JSON.stringify("short")}\n`));
  await a.write(encoder.encode(`${JSON.stringify("y".repeat(500))}\n`));
  await two.promise;
  assert.deepEqual(got, ["short", "y".repeat(500)]);
  a.close();
  await receiver.closed;
});

Deno.test("LineChannel: reading many small messages holds no buffer per read", async () => {
  const [a, b] = await socketPair();
  let next = Promise.withResolvers<void>();
  const receiver = new LineChannel<number, number>(b, () => next.resolve(), { maxLine: 1024 });
  const line = new TextEncoder().encode("1\n");
  const before = Deno.memoryUsage().external;
  // Each message waits for the previous one: one read each, as the heartbeats of an idle edge.
  for (let i = 0; i < 400; i++) {
    await a.write(line);
    await next.promise;
    next = Promise.withResolvers<void>();
  }
  const grown = Deno.memoryUsage().external - before;
  // A fresh 64 KiB chunk per read would be 25 MiB here until a GC ran.
  assert(grown < 4 * 1024 * 1024, `external memory grew by ${grown} bytes`);
  a.close();
  await receiver.closed;
  await receiver.close();
});
