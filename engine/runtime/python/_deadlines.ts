/**
 * The deadlines of the handler calls in flight, under one timer. A timer per call (`setTimeout`,
 * then `clearTimeout` when the reply comes) costs about 3.5 us a call in Deno; calls share one
 * timeout in practice (`[server] handler_timeout_ms`), so their deadlines arrive in order and a
 * queue with one timer armed for its head does the same work for a fraction of that.
 *
 * @module
 */

interface Entry {
  at: number;
  id: number;
}

/** What {@linkcode Deadlines} asks of its owner. */
export interface DeadlineOwner {
  /** Whether the call still waits for its reply. */
  waiting(id: number): boolean;
  /** The call's deadline passed without a reply. */
  expired(id: number): void;
}

/** Calls by deadline; answered calls leave the queue from its head. */
export class Deadlines {
  #owner: DeadlineOwner;
  #queue: Entry[] = [];
  #head = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the armed timer fires (Infinity: none). */
  #armedAt = Infinity;

  /** Expired calls are told to `owner`. */
  constructor(owner: DeadlineOwner) {
    this.#owner = owner;
  }

  /**
   * Adds a call that expires `ms` after `now` (default: now). A caller that has just read the clock
   * passes its reading: on some machines each `performance.now()` costs about 1 us.
   */
  add(id: number, ms: number, now: number = performance.now()): void {
    const entry = { at: now + ms, id };
    const queue = this.#queue;
    if (queue.length === this.#head || queue[queue.length - 1]!.at <= entry.at) {
      queue.push(entry);
    } else {
      queue.splice(this.#insertAt(entry.at), 0, entry);
    }
    if (entry.at < this.#armedAt) this.#arm(entry.at);
  }

  /** Drops answered calls from the head; call it after a reply. */
  settled(): void {
    this.#dropAnswered();
    if (this.#head === this.#queue.length) this.clear();
  }

  /** Forgets every call and stops the timer. */
  clear(): void {
    this.#queue = [];
    this.#head = 0;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedAt = Infinity;
  }

  #insertAt(at: number): number {
    let low = this.#head;
    let high = this.#queue.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#queue[middle]!.at <= at) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  #arm(at: number): void {
    clearTimeout(this.#timer);
    this.#armedAt = at;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, at - performance.now()));
  }

  #fire(): void {
    this.#timer = undefined;
    this.#armedAt = Infinity;
    const now = performance.now();
    const queue = this.#queue;
    while (this.#head < queue.length && queue[this.#head]!.at <= now) {
      const { id } = queue[this.#head++]!;
      if (this.#owner.waiting(id)) this.#owner.expired(id);
    }
    this.#dropAnswered();
    if (this.#head < this.#queue.length) this.#arm(this.#queue[this.#head]!.at);
    else this.clear();
  }

  #dropAnswered(): void {
    const queue = this.#queue;
    while (this.#head < queue.length && !this.#owner.waiting(queue[this.#head]!.id)) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > queue.length) {
      this.#queue = queue.slice(this.#head);
      this.#head = 0;
    }
  }
}
