import type { GetUserRequest, GetUserResponse } from "../../generated/api/get_user.ts";

export function handleGetUser(req: GetUserRequest): GetUserResponse {
  return { data: { id: req.id, queryParams: req.queryParams } };
}
