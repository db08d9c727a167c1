import type { State } from "../../generated/state.ts";
import { bump } from "../../lib/store.ts";

// The result's `data` is the payload of the job's `triggers: [Ticked]`.
export async function handleTick(state: State): Promise<{ data: { id: string; n: number } }> {
  const n = bump("tick");
  let users = 0;
  for await (const _ of state.kv.list({ prefix: ["users"] })) users++;
  await state.kv.set(["cron", "users_seen"], users);
  state.logger.info("Tick", { n, users });
  return { data: { id: `tick-${n}`, n } };
}
