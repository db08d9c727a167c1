import type { PlaceOrderRequest, PlaceOrderResponse } from "../../generated/api/place_order.ts";
import { HttpError, type State } from "../../generated/state.ts";

/** How long an order waits for its payment before a reminder goes out. */
export const REMINDER_DELAY_MS = 1_500;

export function handlePlaceOrder(req: PlaceOrderRequest, state: State): PlaceOrderResponse {
  // The order id keys its reminder, and a key has 1 to 256 characters.
  if (req.body.orderId === "" || req.body.orderId.length > 256) {
    throw new HttpError(422, "orderId must have 1 to 256 characters");
  }
  // The payload of the schema's `triggers: [OrderPlaced]`, instead of the result.
  state.setPayload("OrderPlaced", { id: req.body.orderId, total: req.body.amount });
  // A delayed event, kept in state.kv until due (it survives a restart); the key lets PayOrder
  // cancel it, and placing the same order twice schedules one reminder.
  state.triggerEvent("OrderReminder", { id: req.body.orderId }, {
    delay: REMINDER_DELAY_MS,
    key: req.body.orderId,
  });
  return { data: { accepted: req.body.orderId } };
}
