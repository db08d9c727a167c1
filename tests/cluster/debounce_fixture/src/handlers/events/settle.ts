import { record } from "../../lib/record.ts";

export function handleSettle(event: { payload: { k: string; n: number } }): void {
  record("settle", `${event.payload.k} ${event.payload.n}`);
}
