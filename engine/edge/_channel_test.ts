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
  });
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
  });
  const sender = new LineChannel<number, number>(a, () => {});
  for (let i = 0; i < 1000; i++) sender.send(i);
  await done.promise;
  assert.deepEqual(got, Array.from({ length: 1000 }, (_, i) => i));
  await sender.close();
  await receiver.closed;
  await receiver.close();
  await sender.closed;
});
