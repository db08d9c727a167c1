import type { OrderReminder } from "../../generated/events/order_reminder.ts";
import { bump, idOf } from "../../lib/store.ts";

// Runs 1 s after the reminder was published: the schema's `on escalate_order { delay: 1s }`.
export function handleEscalateOrder(event: OrderReminder): void {
  bump(`escalate_order:${idOf(event.payload)}`);
}
