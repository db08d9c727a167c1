// Deno Deploy's isolates simulated locally: WebSocket broadcasts reach the clients of every isolate
// of `deno serve --parallel` (Workers in one process) through BroadcastChannel, and two processes
// on one KV file share the event queue as two isolates of one project do.
import assert from "node:assert/strict";
import { counters, eventually, fixtureConfig, fixtureProject, ping, serve } from "./_project.ts";

Deno.test("a broadcast reaches every client of every isolate of deno serve --parallel once", async () => {
  await using project = await fixtureProject();
  await using served = await serve(project, { parallel: true });
  const clients: Client[] = [];
  try {
    // The kernel spreads connections over the isolates' sockets; connect until both hold some.
    while (clients.length < 4 || new Set(clients.map((c) => c.isolate)).size < 2) {
      if (clients.length === 200) assert.fail("200 connections all landed on one isolate");
      clients.push(await connect(served.port));
    }
    clients[0]!.socket.send(JSON.stringify({ text: "to everyone" }));
    for (const client of clients) {
      assert.deepEqual(await client.next(), { text: "to everyone" });
    }
    // Nobody got it twice: a marker sent after it is the next message everywhere.
    clients[1]!.socket.send(JSON.stringify({ text: "marker" }));
    for (const client of clients) assert.deepEqual(await client.next(), { text: "marker" });
  } finally {
    for (const client of clients) client.socket.close();
  }
});

Deno.test("two processes on one KV file share the project's queue and state, as two isolates do", async () => {
  // Retries are delayed queue messages that either process may take; each process wakes its queue
  // every 100 ms to see what the other enqueued.
  const config = (await fixtureConfig())
    .replace('type = "memory"\n# Retries', 'type = "memory"\nwake_interval_ms = 100\n# Retries');
  await using project = await fixtureProject(config);
  const env = { DENO_DEPLOYMENT_ID: "local-test" };
  await using second = await serve(project, { env });
  await using first = await serve(project, { env });
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) ids.push(await ping(first.url, 1));
  const seen = await eventually(async () => {
    const seen = await counters(second.url);
    assert.deepEqual([...seen.handledAnywhere].sort(), [...ids].sort());
    return seen;
  }, 30_000);
  // What one process stored, the other reads.
  assert.equal(seen.stored, ids.length);
});

interface Client {
  socket: WebSocket;
  isolate: string;
  next(): Promise<unknown>;
}

async function connect(port: number): Promise<Client> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws/room`);
  const inbox: unknown[] = [];
  let waiting: ((value: unknown) => void) | null = null;
  socket.onmessage = (event) => {
    const value = JSON.parse(event.data as string);
    if (waiting) {
      waiting(value);
      waiting = null;
    } else inbox.push(value);
  };
  const next = () =>
    inbox.length > 0 ? Promise.resolve(inbox.shift()) : new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("No message within 10 s")), 10_000);
      waiting = (value) => {
        clearTimeout(timer);
        resolve(value);
      };
      socket.onclose = () => reject(new Error("The socket closed"));
    });
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = () => reject(new Error("Cannot connect"));
  });
  const hello = await next() as { isolate: string };
  return { socket, isolate: hello.isolate, next };
}
