import type { FailRequest, FailResponse } from "../../generated/api/fail.ts";

export function handleFail(_req: FailRequest): FailResponse {
  throw new Error("Database exploded");
}
