/**
 * The sequences of a handler Worker (see `InvokeMessage.sequence`): the calls of one sequence run
 * one after another, each once the previous settled. A call that settles synchronously (a handler
 * that returned without a promise) lets the next one start at once, in the same turn: no promise
 * and no microtask between them, so a burst of deliveries runs back to back as unordered calls do.
 *
 * @module
 */

/** What {@linkcode WorkerSequences} does with each call. */
export interface SequenceSteps<M, R> {
  /** Runs a call; never throws, and a returned promise never rejects. */
  run(message: M): R | Promise<R>;
  /** The answer of a call whose sequence was ended before it started (it does not run). */
  abandon(message: M, sequence: string): R;
  /** Receives each call's result, in call order within a sequence. */
  answer(message: M, result: R): void;
}

/**
 * Queues the calls of each sequence and runs them in order.
 *
 * @example Calls of one sequence run in order, synchronous ones back to back
 * ```ts
 * import { WorkerSequences } from "./_worker_sequences.ts";
 *
 * const answers: string[] = [];
 * const sequences = new WorkerSequences<{ id: number }, string>({
 *   run: (message) => `ran ${message.id}`,
 *   abandon: (message) => `abandoned ${message.id}`,
 *   answer: (_message, result) => answers.push(result),
 * });
 * sequences.add("s", { id: 1 });
 * sequences.add("s", { id: 2 });
 * console.assert(answers.join() === "ran 1,ran 2");
 * ```
 */
export class WorkerSequences<M extends { id: number }, R> {
  readonly #steps: SequenceSteps<M, R>;
  /** The calls of each sequence that have not started, in call order; present while one runs. */
  readonly #queues = new Map<string, M[]>();
  /** Ids of waiting calls whose sequence was ended: they answer without running. */
  readonly #abandoned = new Set<number>();

  /** @param steps how a call runs, is abandoned and answered */
  constructor(steps: SequenceSteps<M, R>) {
    this.#steps = steps;
  }

  /** Adds a call to its sequence; it starts now when no call of the sequence is running. */
  add(sequence: string, message: M): void {
    const queue = this.#queues.get(sequence);
    if (queue !== undefined) return void queue.push(message);
    const started: M[] = [message];
    this.#queues.set(sequence, started);
    this.#drain(sequence, started);
  }

  /** Ends a sequence: its calls waiting now answer unrun; calls added afterwards run as usual. */
  end(sequence: string): void {
    for (const message of this.#queues.get(sequence) ?? []) this.#abandoned.add(message.id);
  }

  /** Runs the queue's calls until one returns a promise (it resumes once that settled) or none is left. */
  #drain(sequence: string, queue: M[]): void {
    while (queue.length > 0) {
      const message = queue.shift()!;
      const result = this.#abandoned.delete(message.id)
        ? this.#steps.abandon(message, sequence)
        : this.#steps.run(message);
      if (result instanceof Promise) {
        result.then((settled: R) => {
          this.#steps.answer(message, settled);
          this.#drain(sequence, queue);
        });
        return;
      }
      this.#steps.answer(message, result);
    }
    this.#queues.delete(sequence);
  }
}
