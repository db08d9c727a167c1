/**
 * Call deadlines on one timer. A `setTimeout`/`clearTimeout` pair per call costs more than a whole
 * handler call, so deadlines with the same duration share a list kept in start order (a doubly
 * linked list: O(1) add and cancel), and one timer is armed for the earliest deadline of all lists.
 * Cancelling never re-arms the timer (when it fires early it finds nothing and re-arms), so a busy
 * runtime touches the timer about once per timeout period; {@linkcode Deadlines.close} clears it.
 *
 * @module
 */

/** A deadline that has not expired yet; pass it to {@linkcode Deadlines.cancel}. */
export interface Deadline {
  readonly at: number;
  readonly onExpire: () => void;
  list: DeadlineList | undefined;
  previous: Deadline | undefined;
  next: Deadline | undefined;
}

interface DeadlineList {
  head: Deadline | undefined;
  tail: Deadline | undefined;
}

/** Timers overflow (and fire at once) past a signed 32-bit millisecond count. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Deadlines sharing one timer. */
export class Deadlines {
  readonly #lists = new Map<number, DeadlineList>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;

  /**
   * Calls `onExpire` after `ms` milliseconds (at most about 24.8 days, the timer limit) unless
   * cancelled first.
   *
   * @param ms the duration
   * @param onExpire called once on expiry
   * @param now the current `performance.now()`, when the caller has it
   * @returns the handle to cancel with
   */
  add(ms: number, onExpire: () => void, now: number = performance.now()): Deadline {
    if (!(ms <= MAX_TIMER_MS)) ms = MAX_TIMER_MS;
    let list = this.#lists.get(ms);
    if (list === undefined) this.#lists.set(ms, list = { head: undefined, tail: undefined });
    const at = now + ms;
    const deadline: Deadline = { at, onExpire, list, previous: list.tail, next: undefined };
    if (list.tail === undefined) list.head = deadline;
    else list.tail.next = deadline;
    list.tail = deadline;
    if (at < this.#timerAt) this.#arm(at);
    return deadline;
  }

  /** Forgets `deadline`; a no-op once it expired or was cancelled. */
  cancel(deadline: Deadline): void {
    this.#unlink(deadline);
  }

  /** Clears the timer; deadlines still pending never fire. */
  close(): void {
    this.#disarm();
    this.#lists.clear();
  }

  #unlink(deadline: Deadline): void {
    const list = deadline.list;
    if (list === undefined) return;
    if (deadline.previous === undefined) list.head = deadline.next;
    else deadline.previous.next = deadline.next;
    if (deadline.next === undefined) list.tail = deadline.previous;
    else deadline.next.previous = deadline.previous;
    deadline.list = deadline.previous = deadline.next = undefined;
  }

  #arm(at: number): void {
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, at - performance.now()));
  }

  #disarm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  #fire(): void {
    this.#disarm();
    const now = performance.now();
    const expired: Deadline[] = [];
    let next = Infinity;
    for (const list of this.#lists.values()) {
      while (list.head !== undefined && list.head.at <= now) {
        const head = list.head;
        this.#unlink(head);
        expired.push(head);
      }
      if (list.head !== undefined) next = Math.min(next, list.head.at);
    }
    if (next !== Infinity) this.#arm(next);
    for (const deadline of expired) deadline.onExpire();
  }
}
