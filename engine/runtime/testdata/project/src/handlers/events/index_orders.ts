import type { State } from "../../generated/state.ts";

type Event = { payload: { order: number }; id: string; attempt: number };

/** A batched handler (`batch:` in its `on` block): the events of one batch, in delivery order. */
export function handleIndexOrders(events: Event[], state: State) {
  state.logger.info("Indexing orders", { count: events.length });
  return { orders: events.map((event) => event.payload.order), ids: events.map((e) => e.id) };
}
