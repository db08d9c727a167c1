import type { CreateUserRequest, CreateUserResponse } from "../../generated/api/create_user.ts";
import type { State } from "../../generated/state.ts";

export async function handleCreateUser(
  req: CreateUserRequest,
  state: State,
): Promise<CreateUserResponse> {
  const id = req.headers["x-user-id"] ?? crypto.randomUUID();
  const user = {
    id,
    name: req.body.name,
    email: req.body.email,
    age: req.body.age ?? null,
    createdAt: new Date().toISOString(),
  };
  // Shared state: a module-level Map would live in this isolate only (one Worker or edge).
  await state.kv.set(["users", id], user);
  state.triggerEvent("UserAudited", { id, action: "create" });
  state.logger.info("User created", { id });
  // The schema's `triggers: [UserCreated]` publishes `user` (the result's `data`).
  return { data: user };
}
