/**
 * The idempotency keys of one topic the memory adapter saw within its window, at most `maxKeys` of
 * them.
 *
 * @module
 */

/**
 * Remembers keys for `windowMs`, at most `maxKeys` of them, the oldest forgotten first. Every key is
 * kept for the same time, so the order keys arrived in is their expiry order: only the oldest are
 * ever looked at, once the oldest is due or the window is full.
 *
 * The oldest key is found by one iterator of the map kept for the window's life, not by a new
 * `keys()` iterator each time: V8 leaves a deleted entry of a `Map` as a hole until the table is
 * rebuilt, and every new iterator walks the holes at its front, so once the window was full each key
 * cost a walk over up to tens of thousands of holes (about 100 µs a publish at 100,000 keys). The
 * kept iterator passes each hole once; a `Map` iterator sees entries added after it was made.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { KeyWindow } from "./_key_window.ts";
 * const window = new KeyWindow(1000, 10);
 * assertEquals(window.seen("a", 0), false);
 * assertEquals(window.seen("a", 999), true);
 * assertEquals(window.seen("a", 1000), false);
 * ```
 */
export class KeyWindow {
  /** Each remembered key and when it expires, in arrival (so expiry) order. */
  readonly #expiries = new Map<string, number>();
  /** Walks `#expiries` in order; it has just yielded `#oldest`. */
  #walk: Iterator<string> | undefined;
  /** The oldest key kept; undefined while none is. */
  #oldest: string | undefined;
  /** When `#oldest` expires; Infinity while no key is kept. */
  #nextExpiry = Infinity;
  readonly #windowMs: number;
  readonly #maxKeys: number;

  constructor(windowMs: number, maxKeys: number) {
    this.#windowMs = windowMs;
    this.#maxKeys = maxKeys;
  }

  /** How many keys are remembered. */
  get size(): number {
    return this.#expiries.size;
  }

  /** Whether `key` was seen within the window; else remembers it until `now + windowMs`. */
  seen(key: string, now: number): boolean {
    if (now >= this.#nextExpiry) this.#forgetExpired(now);
    if (this.#expiries.has(key)) return true;
    this.#expiries.set(key, now + this.#windowMs);
    // The window was empty: its walk ended (a finished iterator stays finished), start a new one.
    if (this.#oldest === undefined) {
      this.#walk = this.#expiries.keys();
      this.#advance();
    }
    if (this.#expiries.size > this.#maxKeys) this.#forgetOldest();
    return false;
  }

  #forgetExpired(now: number): void {
    while (this.#oldest !== undefined && this.#nextExpiry <= now) this.#forgetOldest();
  }

  #forgetOldest(): void {
    this.#expiries.delete(this.#oldest!);
    this.#advance();
  }

  #advance(): void {
    const next = this.#walk!.next();
    if (next.done === true) {
      this.#oldest = undefined;
      this.#nextExpiry = Infinity;
      return;
    }
    this.#oldest = next.value;
    this.#nextExpiry = this.#expiries.get(next.value)!;
  }
}
