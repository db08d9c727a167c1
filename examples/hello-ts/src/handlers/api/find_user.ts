import type { FindUserRequest, FindUserResponse } from "../../generated/api/find_user.ts";
import type { User } from "../../generated/models/user.ts";
import { HttpError, type State } from "../../generated/state.ts";

// Whichever Worker, edge or instance created the user, state.kv has it.
export async function handleFindUser(
  req: FindUserRequest,
  state: State,
): Promise<FindUserResponse> {
  const entry = await state.kv.get<User>(["users", req.id]);
  if (entry.value === null) throw new HttpError(404, `User "${req.id}" not found`);
  return { data: entry.value };
}
