/**
 * WebSocket broadcasts across isolates through `BroadcastChannel`: the isolates of
 * `deno serve --parallel` in one process, and the isolates of one Deno Deploy project in a region.
 * A broadcast is delivered to this isolate's connections at once and posted on the channel; every
 * other isolate delivers it to its own connections (a channel object never receives its own posts).
 *
 * @module
 */

import type { SocketHub } from "../engine/mod.ts";

/** What travels on the channel: the endpoint and the message as JSON text. */
interface Relayed {
  endpoint: string;
  text: string;
}

/** A relay that can be stopped. */
export interface BroadcastRelay {
  /** Stops relaying and closes the channel. */
  close(): void;
}

/**
 * Relays the hub's broadcasts to the other isolates listening on the channel, and theirs to it.
 *
 * @param hub the engine's socket hub
 * @param channelName the channel every isolate of the app opens, such as `rohas:<project>:sockets`
 * @returns the relay; close it with the app
 * @example Two hubs in one isolate, each with its own channel object
 * ```ts
 * import { strictEqual as assertEquals } from "node:assert/strict";
 * import { relayOverChannel } from "./broadcast_relay.ts";
 * const got: unknown[] = [];
 * const hub = (deliver: (e: string, m: unknown) => number) => {
 *   let relay: ((e: string, m: unknown) => void) | null = null;
 *   return { deliver, relayBroadcasts: (r: typeof relay) => { relay = r; }, send: () => relay?.("Chat", "hi") };
 * };
 * const a = hub(() => 0);
 * const b = hub((_e, m) => { got.push(m); return 1; });
 * const relays = [relayOverChannel(a as never, "doc"), relayOverChannel(b as never, "doc")];
 * a.send();
 * await new Promise((resolve) => setTimeout(resolve, 50));
 * relays.forEach((r) => r.close());
 * assertEquals(got[0], "hi");
 * ```
 */
export function relayOverChannel(
  hub: Pick<SocketHub, "deliver" | "relayBroadcasts">,
  channelName: string,
): BroadcastRelay {
  const channel = new BroadcastChannel(channelName);
  channel.onmessage = (event: MessageEvent) => {
    const data = event.data as Partial<Relayed> | null;
    if (typeof data?.endpoint !== "string" || typeof data.text !== "string") return;
    hub.deliver(data.endpoint, JSON.parse(data.text));
  };
  hub.relayBroadcasts((endpoint, message) => {
    const relayed: Relayed = { endpoint, text: JSON.stringify(message ?? null) };
    channel.postMessage(relayed);
  });
  return {
    close() {
      hub.relayBroadcasts(null);
      channel.close();
    },
  };
}
