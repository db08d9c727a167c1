import type { StatsRequest, StatsResponse } from "../../generated/api/stats.ts";
import { snapshot } from "../../lib/store.ts";

export function handleStats(_req: StatsRequest): StatsResponse {
  return { data: snapshot() };
}
