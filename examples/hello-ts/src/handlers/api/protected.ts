import type { ProtectedRequest, ProtectedResponse } from "../../generated/api/protected.ts";

// The `auth` middleware put the caller's name into the query params.
export function handleProtected(req: ProtectedRequest): ProtectedResponse {
  return { data: { user: req.queryParams.user ?? null } };
}
