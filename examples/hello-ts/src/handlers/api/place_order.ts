import type { PlaceOrderRequest, PlaceOrderResponse } from "../../generated/api/place_order.ts";
import type { State } from "../../generated/state.ts";

export function handlePlaceOrder(req: PlaceOrderRequest, state: State): PlaceOrderResponse {
  // The payload of the schema's `triggers: [OrderPlaced]`, instead of the result.
  state.setPayload("OrderPlaced", { id: req.body.orderId, total: req.body.amount });
  return { data: { accepted: req.body.orderId } };
}
