import type { OrderReminder } from "../../generated/events/order_reminder.ts";
import type { State } from "../../generated/state.ts";
import { bump, idOf } from "../../lib/store.ts";

export function handleRemindOrder(event: OrderReminder, state: State): void {
  state.logger.info("Order still unpaid: reminder sent", { order: idOf(event.payload) });
  bump(`remind_order:${idOf(event.payload)}`);
}
