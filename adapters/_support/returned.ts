/**
 * Deliveries handed back unsettled (a subscriber closed before they ran), kept in the order the
 * group handed them out: several in flight at once, handed back in any order, go out again in the
 * order they had. The embedded adapters take from it before their queue.
 *
 * @module
 */

/**
 * Items by the number of the take that handed them out.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { Returned } from "./returned.ts";
 * const returned = new Returned<string>();
 * returned.add("c", 3);
 * returned.add("a", 1);
 * returned.add("b", 2);
 * assertEquals([returned.shift(), returned.shift(), returned.shift(), returned.shift()], ["a", "b", "c", undefined]);
 * ```
 */
export class Returned<T> {
  readonly #items: { at: number; item: T }[] = [];

  /** How many wait. */
  get length(): number {
    return this.#items.length;
  }

  /** Adds an item handed out by take number `at`, after those taken before it. */
  add(item: T, at: number): void {
    const items = this.#items;
    let index = items.length;
    while (index > 0 && items[index - 1]!.at > at) index--;
    items.splice(index, 0, { at, item });
  }

  /** Takes the one handed out first. */
  shift(): T | undefined {
    return this.#items.shift()?.item;
  }
}
