import type { BenchRequest, BenchResponse } from "../../generated/api/bench.ts";

export function handleBench(req: BenchRequest): BenchResponse {
  return { data: { ok: true, name: req.body.name } };
}
