/**
 * A one-slot shared-memory mailbox for the transport benchmark: the writer puts one UTF-8 JSON
 * batch into a SharedArrayBuffer and bumps a sequence number; the reader wakes through
 * `Atomics.waitAsync`, copies the batch out and acknowledges it. Batches written while the slot is
 * full wait in a local queue (merged into one).
 *
 * The engine does not use it: the runtime benchmark measured it against one `postMessage` per
 * call and per-turn batches (BENCHMARKS.md, "Runtime boundary"), and batching won, so
 * engine/runtime/protocol.ts batches. It stays so that the comparison can be run again.
 *
 * @module
 */

const SEQ = 0;
const ACK = 1;
const LENGTH = 2;
const HEADER_BYTES = 16;

/** Creates the shared memory of one direction. */
export function createMailboxBuffer(bytes = 1 << 22): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + bytes);
}

/** The sending side of a mailbox. */
export class MailboxWriter {
  readonly #header: Int32Array;
  readonly #body: Uint8Array;
  readonly #encoder = new TextEncoder();
  #queued: string[] = [];
  #waiting = false;

  constructor(buffer: SharedArrayBuffer) {
    this.#header = new Int32Array(buffer, 0, 4);
    this.#body = new Uint8Array(buffer, HEADER_BYTES);
  }

  /** Sends one message (a JSON text); messages of one turn travel together. */
  send(json: string): void {
    this.#queued.push(json);
    if (this.#queued.length === 1 && !this.#waiting) queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    if (this.#queued.length === 0) return;
    const seq = Atomics.load(this.#header, SEQ);
    if (Atomics.load(this.#header, ACK) !== seq) return this.#waitForAck(seq);
    const text = `[${this.#queued.join(",")}]`;
    this.#queued = [];
    const { written } = this.#encoder.encodeInto(text, this.#body);
    Atomics.store(this.#header, LENGTH, written);
    Atomics.store(this.#header, SEQ, seq + 1);
    Atomics.notify(this.#header, SEQ);
  }

  #waitForAck(seq: number): void {
    this.#waiting = true;
    const waited = Atomics.waitAsync(this.#header, ACK, seq - 1);
    const resume = () => {
      this.#waiting = false;
      this.#flush();
    };
    if (waited.async) waited.value.then(resume);
    else resume();
  }
}

/** Reads batches until `stop()`; `onBatch` gets each batch's messages (parsed). */
export function readMailbox(
  buffer: SharedArrayBuffer,
  onBatch: (messages: unknown[]) => void,
): { stop(): void } {
  const header = new Int32Array(buffer, 0, 4);
  const body = new Uint8Array(buffer, HEADER_BYTES);
  const decoder = new TextDecoder();
  let stopped = false;
  let seen = 0;
  const loop = async () => {
    while (!stopped) {
      const waited = Atomics.waitAsync(header, SEQ, seen);
      if (waited.async) await waited.value;
      if (stopped) return;
      seen = Atomics.load(header, SEQ);
      const length = Atomics.load(header, LENGTH);
      const text = decoder.decode(body.slice(0, length));
      Atomics.store(header, ACK, seen);
      Atomics.notify(header, ACK);
      onBatch(JSON.parse(text));
    }
  };
  loop();
  return {
    stop() {
      stopped = true;
      Atomics.add(header, SEQ, 0);
      Atomics.notify(header, SEQ);
    },
  };
}
