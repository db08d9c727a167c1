import type { GetFileRequest, GetFileResponse } from "../../generated/api/get_file.ts";

export function handleGetFile(req: GetFileRequest): GetFileResponse {
  return { data: { name: req.name, queryParams: req.queryParams } };
}
