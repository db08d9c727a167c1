/**
 * The retry schedule of the event bus: exponential backoff with **equal jitter**. The delay before
 * retry number `attempt` is drawn uniformly from `[ceiling / 2, ceiling]`, where
 * `ceiling = min(maxBackoffMs, backoffMs * 2^(attempt - 1))`. Equal jitter (rather than full jitter)
 * keeps a floor of half the backoff, so a retry never fires immediately, while still spreading
 * retries of many failed events apart.
 *
 * @module
 */

import type { AdapterSection } from "../../project/mod.ts";
import { InvalidRetryPolicyError } from "./errors.ts";

/** When failed deliveries are retried and when they are dead-lettered. */
export interface RetryPolicy {
  /** Deliveries (first one included) before dead-lettering. Default 5. */
  maxAttempts: number;
  /** Ceiling of the first retry delay, in milliseconds; doubles per attempt. Default 500. */
  backoffMs: number;
  /** Cap of the delay ceiling, in milliseconds. Default 60000. */
  maxBackoffMs: number;
}

/** The defaults of `[adapter] max_attempts`, `backoff_ms`, `max_backoff_ms`. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 5,
  backoffMs: 500,
  maxBackoffMs: 60_000,
});

/**
 * The delay before retrying a delivery that failed on `attempt`.
 *
 * @param attempt the attempt that failed, 1 for the first delivery
 * @param policy the backoff settings
 * @param random a uniform number in `[0, 1)`; default `Math.random`
 * @returns milliseconds, an integer
 *
 * @example Without jitter spread (random 1 gives the ceiling)
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { retryDelay } from "./retry_policy.ts";
 * const policy = { maxAttempts: 5, backoffMs: 500, maxBackoffMs: 60000 };
 * assertEquals(retryDelay(3, policy, () => 1), 2000);
 * assertEquals(retryDelay(3, policy, () => 0), 1000);
 * ```
 */
export function retryDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Checks a policy, throwing on values that cannot work.
 *
 * @param policy the policy to check
 * @returns the same policy
 * @throws {InvalidRetryPolicyError} naming the `[adapter]` key
 */
export function checkRetryPolicy(policy: RetryPolicy): RetryPolicy {
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new InvalidRetryPolicyError(
      "max_attempts",
      policy.maxAttempts,
      "an integer of 1 or more",
    );
  }
  if (!(policy.backoffMs >= 0)) {
    throw new InvalidRetryPolicyError("backoff_ms", policy.backoffMs, "0 or more milliseconds");
  }
  if (!(policy.maxBackoffMs >= policy.backoffMs)) {
    throw new InvalidRetryPolicyError(
      "max_backoff_ms",
      policy.maxBackoffMs,
      `at least backoff_ms (${policy.backoffMs})`,
    );
  }
  return policy;
}

/**
 * The retry policy of an `[adapter]` config section.
 *
 * @param config the section (`max_attempts`, `backoff_ms`, `max_backoff_ms`)
 * @returns the policy, checked
 * @throws {InvalidRetryPolicyError} naming the `[adapter]` key
 */
export function retryPolicyOf(
  config: Pick<AdapterSection, "max_attempts" | "backoff_ms" | "max_backoff_ms">,
): RetryPolicy {
  return checkRetryPolicy({
    maxAttempts: config.max_attempts,
    backoffMs: config.backoff_ms,
    maxBackoffMs: config.max_backoff_ms,
  });
}
