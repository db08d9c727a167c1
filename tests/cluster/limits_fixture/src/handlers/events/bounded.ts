import { record } from "../../lib/record.ts";

// Long enough that runs of one key overlap unless the limit holds them apart.
export async function handleBounded(event: { payload: { key: string } }): Promise<void> {
  record("bounded", `start ${event.payload.key} ${Date.now()}`);
  await new Promise((resolve) => setTimeout(resolve, 40));
  record("bounded", `end ${event.payload.key} ${Date.now()}`);
}
