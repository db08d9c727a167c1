/**
 * Call deadlines on one timer. A `setTimeout`/`clearTimeout` pair per call costs more than a whole
 * handler call, so deadlines with the same duration share a list kept in start order (an intrusive
 * doubly linked list: O(1) add and cancel, no allocation), and one timer is armed for the earliest
 * deadline of all lists. Cancelling never re-arms the timer (when it fires early it finds nothing
 * and re-arms), so a busy runtime touches the timer about once per timeout period;
 * {@linkcode Deadlines.close} clears it.
 *
 * @module
 */

interface DeadlineList {
  head: Deadline | undefined;
  tail: Deadline | undefined;
}

/** Something that expires; subclass it and pass instances to {@linkcode Deadlines.add}. */
export abstract class Deadline {
  /** `performance.now()` time of expiry. */
  at = 0;
  list: DeadlineList | undefined = undefined;
  previous: Deadline | undefined = undefined;
  next: Deadline | undefined = undefined;
  /** Called once when the deadline passes before it was cancelled. */
  abstract expire(): void;

  /** Unlinks this deadline from its list; a no-op once it expired or was cancelled. */
  cancel(): void {
    const list = this.list;
    if (list === undefined) return;
    if (this.previous === undefined) list.head = this.next;
    else this.previous.next = this.next;
    if (this.next === undefined) list.tail = this.previous;
    else this.next.previous = this.previous;
    this.list = this.previous = this.next = undefined;
  }
}

class CallbackDeadline extends Deadline {
  readonly #onExpire: () => void;
  constructor(onExpire: () => void) {
    super();
    this.#onExpire = onExpire;
  }
  expire(): void {
    this.#onExpire();
  }
}

function byExpiry(a: Deadline, b: Deadline): number {
  return a.at - b.at;
}

/** Timers overflow (and fire at once) past a signed 32-bit millisecond count. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Deadlines sharing one timer. */
export class Deadlines {
  readonly #lists = new Map<number, DeadlineList>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;

  /**
   * Expires `deadline` after `ms` milliseconds (at most about 24.8 days, the timer limit) unless
   * cancelled first.
   *
   * @param deadline a deadline not currently added
   * @param ms the duration
   * @param now the current `performance.now()`, when the caller has it
   */
  add(deadline: Deadline, ms: number, now: number = performance.now()): void {
    if (!(ms <= MAX_TIMER_MS)) ms = MAX_TIMER_MS;
    let list = this.#lists.get(ms);
    if (list === undefined) this.#lists.set(ms, list = { head: undefined, tail: undefined });
    deadline.at = now + ms;
    deadline.list = list;
    deadline.previous = list.tail;
    deadline.next = undefined;
    if (list.tail === undefined) list.head = deadline;
    else list.tail.next = deadline;
    list.tail = deadline;
    if (deadline.at < this.#timerAt) this.#arm(deadline.at);
  }

  /**
   * Calls `onExpire` after `ms` milliseconds unless cancelled first.
   *
   * @param ms the duration
   * @param onExpire called once on expiry
   * @returns the deadline to cancel
   */
  after(ms: number, onExpire: () => void): Deadline {
    const deadline = new CallbackDeadline(onExpire);
    this.add(deadline, ms);
    return deadline;
  }

  /** Forgets `deadline`; a no-op once it expired or was cancelled. */
  cancel(deadline: Deadline): void {
    deadline.cancel();
  }

  /** Clears the timer; deadlines still pending never expire. */
  close(): void {
    this.#disarm();
    this.#lists.clear();
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
        head.cancel();
        expired.push(head);
      }
      if (list.head !== undefined) next = Math.min(next, list.head.at);
    }
    if (next !== Infinity) this.#arm(next);
    // Each list is in order, but a late timer (a busy machine) collects from several lists.
    if (expired.length > 1) expired.sort(byExpiry);
    for (const deadline of expired) deadline.expire();
  }
}
