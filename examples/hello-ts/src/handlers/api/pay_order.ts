import type { PayOrderRequest, PayOrderResponse } from "../../generated/api/pay_order.ts";
import type { State } from "../../generated/state.ts";

export function handlePayOrder(req: PayOrderRequest, state: State): PayOrderResponse {
  // The order's reminder (state.triggerEvent with key = the order id) is cancelled if it waits.
  state.cancelEvent("OrderReminder", req.id);
  return { data: { paid: req.id } };
}
