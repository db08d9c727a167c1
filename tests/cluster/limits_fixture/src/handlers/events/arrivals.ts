import { record } from "../../lib/record.ts";

export function handleArrivals(event: { payload: { n: number } }): void {
  record("arrivals", `${event.payload.n} ${Date.now()}`);
}
