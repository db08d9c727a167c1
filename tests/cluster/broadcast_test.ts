/**
 * Broadcasts across three `rohas start` instances on each real broker: a broadcast sent through any
 * instance (an API handler's `state.broadcast(message, { to })`, an event handler's, a
 * `broadcast: true` reply and a WebSocket handler's `state.broadcast`) arrives exactly once at the
 * clients of all three; `state.send` reaches a connection of another instance; a broadcast without
 * an endpoint from an API handler is a 500 that says why.
 *
 * @module
 */

import assert from "node:assert/strict";
import { BROKERS, startCluster } from "./_instances.ts";
import { Client, post, SOCKETS_FIXTURE } from "./_sockets.ts";

/** Clients per instance. */
const CLIENTS = 2;

for (const broker of BROKERS) {
  Deno.test({
    name: `a broadcast through any of three instances on ${broker} reaches every client once`,
    // The instances' broker clients keep timers and sockets until the processes end.
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async (t) => {
      await using cluster = await startCluster({ adapter: broker, from: SOCKETS_FIXTURE });
      const urls = cluster.instances.map((i) => i.url);
      const clients = await openClients(urls);
      try {
        await t.step("from an API handler, through each instance", async () => {
          for (const [i, url] of urls.entries()) {
            assert.equal((await post(`${url}/announce`, { text: `api-${i}` })).status, 200);
          }
          await arrivesOnce(clients, "api", urls.map((_, i) => `api-${i}`));
        });
        await t.step(
          "a broadcast: true reply and state.broadcast of a socket handler",
          async () => {
            for (const i of urls.keys()) clients[i * CLIENTS]!.client.send({ text: `ws-${i}` });
            const texts = urls.map((_, i) => `ws-${i}`);
            await arrivesOnce(clients, "ws", texts);
            await arrivesOnce(clients, "ws-state", texts);
          },
        );
        await t.step("from an event handler", async () => {
          assert.equal((await post(`${urls[0]}/relay`, { text: "event-0" })).status, 200);
          await arrivesOnce(clients, "event", ["event-0"]);
        });
        await t.step("state.send reaches a connection of another instance", async () => {
          const target = clients.at(-1)!;
          const body = { connectionId: target.connectionId, text: "psst" };
          assert.equal((await post(`${urls[0]}/whisper`, body)).status, 200);
          await target.client.waitFor((m) => m.via === "send", "the whisper");
          await fence(clients, urls);
          const got = clients.map((c) => c.client.count((m) => m.via === "send"));
          assert.deepEqual(got, clients.map((c) => c === target ? 1 : 0));
        });
        await t.step("a broadcast without an endpoint from an API handler is a 500", async () => {
          const { status, body } = await post(`${urls[1]}/shout`, { text: "lost?" });
          assert.equal(status, 500);
          assert.match(
            String(body.error),
            /^Cannot broadcast from handler "Shout": only a WebSocket handler has an endpoint/,
          );
        });
        await fence(clients, urls);
        for (const via of ["api", "ws", "ws-state", "event"]) {
          const counts = clients.map((c) => c.client.count((m) => m.via === via));
          const expected = via === "event" ? 1 : urls.length;
          assert.deepEqual(counts, clients.map(() => expected), `${via} messages per client`);
        }
        assert.equal(clients[0]!.client.count((m) => m.via === "shout"), 0);
      } finally {
        await Promise.all(clients.map((c) => c.client.close()));
      }
    },
  });
}

type Connected = { client: Client; connectionId: string; instance: number };

async function openClients(urls: string[]): Promise<Connected[]> {
  const opened = urls.flatMap((url, instance) =>
    Array.from({ length: CLIENTS }, async () => ({ ...(await Client.open(url)), instance }))
  );
  const clients = await Promise.all(opened);
  // Connection ids name their instance (the harness calls them i0, i1, i2).
  for (const c of clients) assert.match(c.connectionId, new RegExp(`^i${c.instance}~`));
  return clients;
}

/** Waits until every client received each text with `via` (duplicates are counted at the end). */
async function arrivesOnce(clients: Connected[], via: string, texts: string[]): Promise<void> {
  await Promise.all(
    clients.flatMap((c) =>
      texts.map((text) =>
        c.client.waitFor((m) => m.via === via && m.text === text, `${via} "${text}"`)
      )
    ),
  );
}

/**
 * A last broadcast through each instance, awaited at every client: each instance's consumer group
 * delivers in publish order, so a duplicate of an earlier message would have arrived before it.
 */
async function fence(clients: Connected[], urls: string[]): Promise<void> {
  const marker = crypto.randomUUID();
  for (const [i, url] of urls.entries()) await post(`${url}/announce`, { text: `${marker}-${i}` });
  await arrivesOnce(clients, "api", urls.map((_, i) => `${marker}-${i}`));
  // The fences' own messages are not part of the counts.
  for (const c of clients) {
    const kept = c.client.messages.filter((m) => !String(m.text).startsWith(marker));
    c.client.messages.splice(0, c.client.messages.length, ...kept);
  }
}
