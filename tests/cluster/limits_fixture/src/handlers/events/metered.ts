import { record } from "../../lib/record.ts";

export function handleMetered(event: { payload: { n: number } }): void {
  record("metered", `${event.payload.n} ${Date.now()}`);
}
