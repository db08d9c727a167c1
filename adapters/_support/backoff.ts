/**
 * Retrying a broker operation with exponential backoff and jitter, for reconnects and for publishes
 * that race a broker restart.
 *
 * @module
 */

/** Options of {@linkcode retryWithBackoff}. */
export interface RetryOptions {
  /** Gives up (rethrowing the last error) after this many milliseconds. Default 30000. */
  deadlineMs?: number;
  /** First delay. Default 100. */
  initialMs?: number;
  /** Delay cap. Default 2000. */
  maxMs?: number;
  /** Stops retrying at once when it returns true (for example: the adapter closed). */
  stop?: () => boolean;
  /** Errors for which retrying is pointless; they are rethrown at once. Default: none. */
  fatal?: (error: unknown) => boolean;
}

/**
 * Runs `operation` until it succeeds, waiting longer after each failure.
 *
 * @param operation the operation
 * @param options deadline, delays and stop condition
 * @returns the operation's result
 */
export async function retryWithBackoff<T>(
  operation: () => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const end = Date.now() + (options.deadlineMs ?? 30_000);
  let delay = options.initialMs ?? 100;
  const max = options.maxMs ?? 2000;
  for (;;) {
    try {
      return await operation();
    } catch (error) {
      const stop = options.stop?.() || options.fatal?.(error) || Date.now() + delay > end;
      if (stop) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random() / 2)));
      delay = Math.min(max, delay * 2);
    }
  }
}
