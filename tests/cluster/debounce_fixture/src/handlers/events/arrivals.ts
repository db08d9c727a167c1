import { record } from "../../lib/record.ts";

export function handleArrivals(event: { payload: { k: string; n: number } }): void {
  record("arrivals", `${event.payload.k} ${event.payload.n}`);
}
