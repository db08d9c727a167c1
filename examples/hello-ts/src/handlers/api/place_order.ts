import type { State } from "../../generated/state.ts";

export function handlePlaceOrder(
  req: { body: { orderId: string; amount: number } },
  state: State,
) {
  state.setPayload("OrderPlaced", { id: req.body.orderId, total: req.body.amount });
  return { data: { accepted: req.body.orderId } };
}
