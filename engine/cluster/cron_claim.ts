/**
 * Cron once per tick across instances: each scheduled run is claimed in the shared state store
 * with an atomic check-and-set on the key `["_rohas", "cron", <job>, <tick in ms>]` (absent ->
 * this instance's id). Every instance evaluates the schedule and asks; the store lets one write
 * win. See ARCHITECTURE.md ("Several instances") for why the store and not the broker decides.
 *
 * @module
 */

import type { Kv } from "../../state/mod.ts";
import type { CronClaim } from "../cron/mod.ts";

/** The key prefix of cron claims in the shared state (the project's namespace). */
export const CRON_CLAIM_PREFIX = ["_rohas", "cron"] as const;

/** How long a claim is kept: far beyond any clock skew between instances. Default 10 minutes. */
export const CRON_CLAIM_KEEP_MS = 600_000;

/** Options of {@linkcode kvCronClaim}. */
export interface KvCronClaimOptions {
  /** This instance's id, written into the claims it wins. */
  instanceId: string;
  /** How long a claim is kept. Default {@linkcode CRON_CLAIM_KEEP_MS}. */
  keepMs?: number;
}

/**
 * A {@linkcode CronClaim} over the shared state store.
 *
 * @param kv the project's shared state
 * @param options this instance's id
 * @returns the claim the scheduler asks before each scheduled run
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { createMemoryKvBackend, kvOver } from "../../state/mod.ts";
 * import { kvCronClaim } from "./cron_claim.ts";
 * const kv = kvOver(createMemoryKvBackend());
 * const tick = new Date("2026-01-01T00:00:00Z");
 * const a = await kvCronClaim(kv, { instanceId: "a" })("Cleanup", tick);
 * const b = await kvCronClaim(kv, { instanceId: "b" })("Cleanup", tick);
 * assert(a && !b);
 * await kv.close();
 * ```
 */
export function kvCronClaim(kv: Kv, options: KvCronClaimOptions): CronClaim {
  const expireIn = options.keepMs ?? CRON_CLAIM_KEEP_MS;
  return async (name, tick) => {
    const key = [...CRON_CLAIM_PREFIX, name, tick.getTime()];
    const claim = { instance: options.instanceId, claimed_at: new Date().toISOString() };
    const result = await kv.atomic()
      .check({ key, versionstamp: null })
      .set(key, claim, { expireIn })
      .commit();
    return result.ok;
  };
}
