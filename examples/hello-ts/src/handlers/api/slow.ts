import type { SlowRequest, SlowResponse } from "../../generated/api/slow.ts";
import { bump } from "../../lib/store.ts";

export async function handleSlow(req: SlowRequest): Promise<SlowResponse> {
  const ms = Number(req.queryParams.ms ?? "100");
  bump(`slow:started:${req.queryParams.tag ?? "none"}`);
  await new Promise((resolve) => setTimeout(resolve, ms));
  return { data: { slept: ms } };
}
