import { record } from "../../lib/record.ts";

// Long enough that runs of one key overlap unless the limit holds them apart. Lines:
// `start|end <key> <ms> <job>` (and the pid).
export async function handleBounded(event: { payload: { key: string; n: number } }): Promise<void> {
  const { key, n } = event.payload;
  record("bounded", `start ${key} ${Date.now()} ${n}`);
  await new Promise((resolve) => setTimeout(resolve, 40));
  record("bounded", `end ${key} ${Date.now()} ${n}`);
}
