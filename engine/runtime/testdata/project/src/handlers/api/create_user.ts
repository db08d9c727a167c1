import type { State } from "../../generated/state.ts";

export function handleCreateUser(
  req: { id: string; body: { name: string }; queryParams: Record<string, string | string[]> },
  state: State,
) {
  state.logger.info("Creating user", { id: req.id });
  state.triggerEvent("UserAudited", { id: req.id });
  state.setPayload("UserCreated", { id: req.id, name: req.body.name });
  state.logger.warning("Second log", {});
  return {
    data: { id: req.id, name: req.body.name, trace: state.traceId, tag: req.queryParams.tag },
  };
}
