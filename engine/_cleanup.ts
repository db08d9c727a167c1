/**
 * What the assembly started, closed in reverse order: on shutdown, and when a later start-up step
 * throws (so a failed start leaves no Worker, store lock, broker connection or listener behind).
 *
 * @module
 */

import { StartupCleanupError } from "./errors.ts";

interface Entry {
  name: string;
  close: () => Promise<void>;
}

/** A stack of started parts. */
export class CleanupStack {
  #entries: Entry[] = [];
  #closing: Promise<void> | null = null;

  /** The parts pushed so far, oldest first (for tests and error messages). */
  names(): string[] {
    return this.#entries.map((e) => e.name);
  }

  /** Remembers a started part.
   *
   * @param name what it is, such as `runtime`
   * @param close stops it
   */
  push(name: string, close: () => Promise<void>): void {
    this.#entries.push({ name, close });
  }

  /** Replaces the parts pushed so far by one that owns them (the engine closes its parts).
   *
   * @param name what owns them
   * @param close stops the owner and everything it owns
   * @param keep parts the owner does not own: they stay, and close after it (the shared state
   * outlives the runtime whose handlers use it)
   */
  handOver(name: string, close: () => Promise<void>, keep: readonly string[] = []): void {
    this.#entries = [...this.#entries.filter((e) => keep.includes(e.name)), { name, close }];
  }

  /** Closes every part, newest first; the first call does the work, later calls wait for it.
   *
   * @throws {StartupCleanupError} when a part fails to close (each failure is listed)
   */
  close(): Promise<void> {
    return this.#closing ??= this.#closeAll(null);
  }

  /** Closes what started, newest first, then rethrows the error that stopped the start.
   *
   * @param error what a start-up step threw
   * @throws the error given, or a {@linkcode StartupCleanupError} carrying it when a part also
   * failed to close
   */
  async abort(error: unknown): Promise<never> {
    await (this.#closing ??= this.#closeAll(error));
    throw error;
  }

  async #closeAll(cause: unknown): Promise<void> {
    const failures: { name: string; error: unknown }[] = [];
    for (const entry of this.#entries.toReversed()) {
      try {
        await entry.close();
      } catch (error) {
        failures.push({ name: entry.name, error });
      }
    }
    this.#entries = [];
    if (failures.length > 0) throw new StartupCleanupError(failures, cause);
  }
}
