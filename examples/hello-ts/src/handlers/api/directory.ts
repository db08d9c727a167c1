import type { DirectoryRequest, DirectoryResponse } from "../../generated/api/directory.ts";
import type { KvKey, State } from "../../generated/state.ts";

// What every handler kind left in state.kv: the API (users), the UserCreated event handler
// (audited), the Tick cron (cronSaw) and the auth middleware (lastCaller).
export async function handleDirectory(
  _req: DirectoryRequest,
  state: State,
): Promise<DirectoryResponse> {
  const [cron, caller] = await Promise.all([
    state.kv.get<number>(["cron", "users_seen"]),
    state.kv.get<string>(["last_caller"]),
  ]);
  return {
    data: {
      users: await count(state, ["users"]),
      audited: await count(state, ["audited"]),
      cronSaw: cron.value,
      lastCaller: caller.value,
    },
  };
}

async function count(state: State, prefix: KvKey): Promise<number> {
  let n = 0;
  for await (const _ of state.kv.list({ prefix })) n++;
  return n;
}
