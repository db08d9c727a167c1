import type { OrderPlaced } from "../../generated/events/order_placed.ts";
import { bump, idOf } from "../../lib/store.ts";

export function handleRecordOrder(event: OrderPlaced): void {
  bump(`record_order:${idOf(event.payload)}`);
}
