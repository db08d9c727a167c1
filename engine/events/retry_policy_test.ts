import assert from "node:assert/strict";
import { InvalidRetryPolicyError } from "./errors.ts";
import { DEFAULT_RETRY_POLICY, retryDelay, retryPolicyOf } from "./retry_policy.ts";

Deno.test("retryDelay() doubles the ceiling per attempt up to the cap", () => {
  const top = [1, 2, 3, 4, 8, 9].map((attempt) =>
    retryDelay(attempt, DEFAULT_RETRY_POLICY, () => 1)
  );
  assert.deepEqual(top, [500, 1000, 2000, 4000, 60000, 60000]);
});

Deno.test("retryDelay() never goes below half the ceiling (equal jitter)", () => {
  const low = [1, 2, 3].map((attempt) => retryDelay(attempt, DEFAULT_RETRY_POLICY, () => 0));
  assert.deepEqual(low, [250, 500, 1000]);
});

Deno.test("retryPolicyOf() reads [adapter] and names the key of a bad value", () => {
  const config = { max_attempts: 3, backoff_ms: 10, max_backoff_ms: 20 };
  assert.deepEqual(retryPolicyOf(config), { maxAttempts: 3, backoffMs: 10, maxBackoffMs: 20 });
  assert.throws(
    () => retryPolicyOf({ ...config, max_attempts: 0 }),
    (error: Error) =>
      error instanceof InvalidRetryPolicyError &&
      error.message === 'Invalid [adapter] max_attempts "0": expected an integer of 1 or more',
  );
  assert.throws(() => retryPolicyOf({ ...config, max_backoff_ms: 5 }), InvalidRetryPolicyError);
});
