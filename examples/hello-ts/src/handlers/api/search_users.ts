import type { SearchUsersRequest, SearchUsersResponse } from "../../generated/api/search_users.ts";

// A GET API with a body type: the body is built from the query string, typed and validated.
export function handleSearchUsers(req: SearchUsersRequest): SearchUsersResponse {
  return { data: { query: req.body } };
}
