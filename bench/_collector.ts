/**
 * The events benchmark's collector: event handlers send one line per handler start over TCP
 * ("<phase> <start wall ms> <start minus send ms>"); the benchmark waits for a phase's count.
 *
 * @module
 */

/** One event handler start: its phase, wall-clock time, and time since the request was sent. */
export interface HandlerStart {
  phase: string;
  at: number;
  latency: number;
}

/** Receives the handler's lines; waits until a phase has so many records. */
export class Collector {
  readonly #listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  readonly #records = new Map<string, HandlerStart[]>();
  readonly #conns = new Set<Deno.Conn>();
  readonly #reading: Promise<void>[] = [];
  #wake = Promise.withResolvers<void>();

  constructor() {
    this.#reading.push(this.#accept());
  }

  /** The port the handlers connect to. */
  get port(): number {
    return (this.#listener.addr as Deno.NetAddr).port;
  }

  async #accept(): Promise<void> {
    try {
      for await (const conn of this.#listener) {
        this.#conns.add(conn);
        this.#reading.push(this.#read(conn));
      }
    } catch { /* listener closed */ }
  }

  async #read(conn: Deno.Conn): Promise<void> {
    let rest = "";
    try {
      for await (const text of conn.readable.pipeThrough(new TextDecoderStream())) {
        const lines = (rest + text).split("\n");
        rest = lines.pop()!;
        for (const line of lines) this.#add(line);
        this.#wake.resolve();
        this.#wake = Promise.withResolvers();
      }
    } catch { /* connection closed */ }
  }

  #add(line: string): void {
    const [phase, at, latency] = line.split(" ");
    const list = this.#records.get(phase!) ?? [];
    list.push({ phase: phase!, at: Number(at), latency: Number(latency) });
    this.#records.set(phase!, list);
  }

  /** Resolves with the records of a phase once there are `count`. */
  async phase(name: string, count: number, timeoutMs = 120_000): Promise<HandlerStart[]> {
    const deadline = performance.now() + timeoutMs;
    while ((this.#records.get(name)?.length ?? 0) < count) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`Timed out waiting for ${count} "${name}" events`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([this.#wake.promise, new Promise((r) => timer = setTimeout(r, left))]);
      clearTimeout(timer);
    }
    return this.#records.get(name)!;
  }

  /** Stops listening and closes every handler connection. */
  async close(): Promise<void> {
    this.#listener.close();
    for (const conn of this.#conns) {
      try {
        conn.close();
      } catch { /* already closed */ }
    }
    await Promise.all(this.#reading);
  }
}
