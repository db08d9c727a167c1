/**
 * Cron once per tick across instances: each job has one key in the shared state,
 * `["_rohas", "cron", <job>]`, holding the last tick claimed and by whom. An instance claims a tick
 * by an atomic check-and-set over the versionstamp it read, only when the stored tick is older:
 * every instance evaluates the schedule and asks, the store lets one write win, and the losers read
 * the winner's tick. One key per job, rewritten each tick, so claims never pile up in a store that
 * keeps expired rows. See ARCHITECTURE.md ("Several instances") for why the store and not the
 * broker decides.
 *
 * @module
 */

import type { Kv } from "../../state/mod.ts";
import type { CronClaim } from "../cron/mod.ts";

/** The key prefix of cron claims in the shared state (the project's namespace). */
export const CRON_CLAIM_PREFIX = ["_rohas", "cron"] as const;

/** A job's last claimed tick, as stored. */
export interface CronClaimRecord {
  /** The tick, in milliseconds since the epoch. */
  tick: number;
  /** The instance that claimed it. */
  instance: string;
}

/** Options of {@linkcode kvCronClaim}. */
export interface KvCronClaimOptions {
  /** This instance's id, written into the claims it wins. */
  instanceId: string;
}

/**
 * A {@linkcode CronClaim} over the shared state store.
 *
 * @param kv the project's shared state
 * @param options this instance's id
 * @returns the claim the scheduler asks before each scheduled run
 * @example
 * ```ts
 * import { createMemoryKvBackend, kvOver } from "../../state/mod.ts";
 * import { kvCronClaim } from "./cron_claim.ts";
 * const kv = kvOver(createMemoryKvBackend());
 * const tick = new Date("2026-01-01T00:00:00Z");
 * const a = await kvCronClaim(kv, { instanceId: "a" })("Cleanup", tick);
 * const b = await kvCronClaim(kv, { instanceId: "b" })("Cleanup", tick);
 * if (!(a && !b)) throw new Error("Example failed");
 * await kv.close();
 * ```
 */
export function kvCronClaim(kv: Kv, options: KvCronClaimOptions): CronClaim {
  return async (name, tick) => {
    const key = [...CRON_CLAIM_PREFIX, name];
    const claim: CronClaimRecord = { tick: tick.getTime(), instance: options.instanceId };
    // A failed check means another instance wrote meanwhile: read again, and stop once the stored
    // tick is this one (or later).
    for (;;) {
      const last = await kv.get<CronClaimRecord>(key);
      if (last.value !== null && last.value.tick >= claim.tick) return false;
      const result = await kv.atomic().check(last).set(key, claim).commit();
      if (result.ok) return true;
    }
  };
}
