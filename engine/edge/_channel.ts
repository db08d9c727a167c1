/**
 * A message channel over one TCP connection between the main process and an edge process: JSON,
 * one message per line, the messages of one turn written together.
 *
 * @module
 */

import { setImmediate } from "node:timers";

/** Both ends of the main process <-> edge process connection. */
export class LineChannel<In, Out> {
  readonly #conn: Deno.Conn;
  readonly #encoder = new TextEncoder();
  #pending: string[] = [];
  #writing: Promise<unknown> = Promise.resolve();
  #closed = false;
  /** Resolves when the other end closed the connection (or reading failed). */
  readonly closed: Promise<void>;

  /**
   * Starts reading at once.
   *
   * @param conn the connection
   * @param onMessage called for each message, in order
   */
  constructor(conn: Deno.Conn, onMessage: (message: In) => void) {
    this.#conn = conn;
    this.closed = this.#read(onMessage);
  }

  async #read(onMessage: (message: In) => void): Promise<void> {
    // The pieces of a line that spans chunks; each chunk is scanned once.
    let partial: string[] = [];
    try {
      for await (const chunk of this.#conn.readable.pipeThrough(new TextDecoderStream())) {
        let start = 0;
        let end = chunk.indexOf("\n");
        while (end >= 0) {
          const piece = chunk.slice(start, end);
          const line = partial.length === 0 ? piece : partial.join("") + piece;
          partial = [];
          if (line !== "") onMessage(JSON.parse(line) as In);
          start = end + 1;
          end = chunk.indexOf("\n", start);
        }
        if (start < chunk.length) partial.push(chunk.slice(start));
      }
    } catch {
      // A reset connection ends the channel like a close.
    }
    this.#closed = true;
  }

  /** Queues a message; the messages of one turn go out in one write. */
  send(message: Out): void {
    if (this.#closed) return;
    if (this.#pending.push(JSON.stringify(message)) === 1) setImmediate(() => this.#flush());
  }

  #flush(): void {
    const lines = this.#pending;
    this.#pending = [];
    if (lines.length === 0 || this.#closed) return;
    const bytes = this.#encoder.encode(lines.join("\n") + "\n");
    this.#writing = this.#writing.then(() => writeAll(this.#conn, bytes)).catch(() => {
      this.#closed = true;
    });
  }

  /** Writes what is queued, then closes the connection. */
  async close(): Promise<void> {
    this.#flush();
    await this.#writing;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
}
