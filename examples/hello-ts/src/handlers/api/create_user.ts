import type { State } from "../../generated/state.ts";

interface Req {
  body: { name: string; email: string; age?: number | null; tags?: string[] | null };
  headers: Record<string, string>;
}

export function handleCreateUser(req: Req, state: State) {
  const id = req.headers["x-user-id"] ?? crypto.randomUUID();
  const user = {
    id,
    name: req.body.name,
    email: req.body.email,
    age: req.body.age ?? null,
    createdAt: new Date().toISOString(),
  };
  state.triggerEvent("UserAudited", { id, action: "create" });
  state.logger.info("User created", { id });
  return { data: user };
}
