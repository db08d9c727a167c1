/**
 * The idempotency keys of one topic the memory adapter saw within its window, at most `maxKeys` of
 * them.
 *
 * @module
 */

/** How many forgotten slots the order arrays keep at their front before they are compacted. */
const COMPACT_AFTER = 1024;

/**
 * Remembers keys for `windowMs`, at most `maxKeys` of them, the oldest forgotten first. Every key is
 * kept for the same time, so the order keys arrived in is their expiry order: only the oldest are
 * ever looked at, once the oldest is due or the window is full.
 *
 * The order lives in two arrays read from a moving head, not in a `Map`'s iteration order: V8 leaves
 * a deleted entry of a `Map` as a hole until the table is rebuilt, and every new iterator walks the
 * holes at its front, so forgetting the oldest through `keys().next()` cost a walk over up to tens of
 * thousands of holes per key once the window was full (about 100 µs a publish at 100,000 keys).
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
  readonly #keys = new Set<string>();
  /** The remembered keys in arrival order, from `#head` on. */
  #order: (string | undefined)[] = [];
  /** When each key of `#order` expires (numbers only, so V8 stores them unboxed). */
  #expiries: number[] = [];
  #head = 0;
  readonly #windowMs: number;
  readonly #maxKeys: number;

  constructor(windowMs: number, maxKeys: number) {
    this.#windowMs = windowMs;
    this.#maxKeys = maxKeys;
  }

  /** How many keys are remembered. */
  get size(): number {
    return this.#keys.size;
  }

  /** Whether `key` was seen within the window; else remembers it until `now + windowMs`. */
  seen(key: string, now: number): boolean {
    if (this.#head < this.#expiries.length && this.#expiries[this.#head]! <= now) {
      this.#forgetExpired(now);
    }
    const size = this.#keys.size;
    if (this.#keys.add(key).size === size) return true;
    this.#order.push(key);
    this.#expiries.push(now + this.#windowMs);
    if (this.#keys.size > this.#maxKeys) this.#forgetOldest();
    return false;
  }

  #forgetOldest(): void {
    const key = this.#order[this.#head]!;
    this.#order[this.#head++] = undefined;
    this.#keys.delete(key);
    if (this.#head > COMPACT_AFTER && this.#head * 2 > this.#order.length) this.#compact();
  }

  #forgetExpired(now: number): void {
    while (this.#head < this.#expiries.length && this.#expiries[this.#head]! <= now) {
      this.#forgetOldest();
    }
  }

  #compact(): void {
    this.#order = this.#order.slice(this.#head);
    this.#expiries = this.#expiries.slice(this.#head);
    this.#head = 0;
  }
}
