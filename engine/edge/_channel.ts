/**
 * A message channel over one TCP connection between the main process and an edge process: JSON,
 * one message per line, the messages of one turn written together. A line longer than the
 * channel's limit closes it, so a peer that never ends a line cannot make the other end hold more
 * than that.
 *
 * @module
 */

import { setImmediate } from "node:timers";

/**
 * The one buffer a channel reads into. `conn.readable` allocates a fresh 64 KiB chunk per read,
 * freed only by a later GC: an idle main process reading its edges' heartbeats and series (about 10
 * small messages a second) grew by about 0.6 MiB a second until V8's external-memory limit forced a
 * collection (bench/memory_bench.ts).
 */
const READ_BUFFER_BYTES = 64 * 1024;

/** Options of a {@linkcode LineChannel}. */
export interface LineChannelOptions {
  /** The longest line read, in UTF-16 code units; a longer one closes the channel. */
  maxLine: number;
}

/** Both ends of the main process <-> edge process connection. */
export class LineChannel<In, Out> {
  readonly #conn: Deno.Conn;
  /**
   * Taken before any other code ran in this isolate, so a patched prototype cannot see writes (or
   * reads).
   */
  readonly #write: (bytes: Uint8Array) => Promise<number>;
  readonly #readInto: (buffer: Uint8Array) => Promise<number | null>;
  readonly #encoder = new TextEncoder();
  #maxLine: number;
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
   * @param options the line limit
   */
  constructor(conn: Deno.Conn, onMessage: (message: In) => void, options: LineChannelOptions) {
    this.#conn = conn;
    this.#write = conn.write.bind(conn);
    this.#readInto = conn.read.bind(conn);
    this.#maxLine = options.maxLine;
    this.closed = this.#read(onMessage);
  }

  /** Changes the line limit (a peer that proved who it is may send more). */
  set maxLine(units: number) {
    this.#maxLine = units;
  }

  async #read(onMessage: (message: In) => void): Promise<void> {
    // The pieces of a line that spans chunks; each chunk is scanned once.
    let partial: string[] = [];
    let partialLength = 0;
    try {
      for await (const chunk of this.#chunks()) {
        let start = 0;
        let end = chunk.indexOf("\n");
        while (end >= 0) {
          const piece = chunk.slice(start, end);
          const line = partial.length === 0 ? piece : partial.join("") + piece;
          partial = [];
          partialLength = 0;
          if (line.length > this.#maxLine) break;
          if (line !== "") onMessage(JSON.parse(line) as In);
          start = end + 1;
          end = chunk.indexOf("\n", start);
        }
        if (end >= 0) break;
        if (start < chunk.length) {
          partial.push(chunk.slice(start));
          partialLength += chunk.length - start;
          if (partialLength > this.#maxLine) break;
        }
      }
    } catch {
      // A reset connection, or a line that is no JSON, ends the channel like a close.
    }
    this.#closed = true;
    this.#close();
  }

  /** The text read, chunk by chunk, through one reused buffer. */
  async *#chunks(): AsyncGenerator<string> {
    const buffer = new Uint8Array(READ_BUFFER_BYTES);
    const decoder = new TextDecoder();
    for (let n = await this.#readInto(buffer); n !== null; n = await this.#readInto(buffer)) {
      // `stream`: a character split between two reads is decoded whole with the second.
      const text = decoder.decode(buffer.subarray(0, n), { stream: true });
      if (text !== "") yield text;
    }
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
    this.#writing = this.#writing.then(() => writeAll(this.#write, bytes)).catch(() => {
      this.#closed = true;
    });
  }

  /** Writes what is queued, then closes the connection. */
  async close(): Promise<void> {
    this.#flush();
    await this.#writing;
    this.#closed = true;
    this.#close();
  }

  #close(): void {
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
  }
}

async function writeAll(
  write: (bytes: Uint8Array) => Promise<number>,
  bytes: Uint8Array,
): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await write(bytes.subarray(written));
}
