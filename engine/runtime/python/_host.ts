/**
 * The Python host: the entry point of the child process that owns libpython. The server starts it
 * with `deno run --allow-ffi` (see `_process.ts`), writes one start line on its stdin, then batches
 * of bridge messages. The host opens libpython, starts the bridge and hands it every complete line
 * it reads; the bridge writes the hello line and every reply to the pipe itself. When stdin ends
 * (the server closed it, or died), the host exits.
 *
 * @module
 */

import type { SerializedError } from "../contract.ts";
import type { HostHello, HostStart } from "./_protocol.ts";
import { initialise, openLibrary, startSession, submit } from "./_libpython.ts";

const NEWLINE = 10;

/** Bytes read from stdin, cut at line ends. */
class Lines {
  #buffer: Uint8Array<ArrayBuffer> = new Uint8Array(0);

  push(chunk: Uint8Array<ArrayBuffer>): void {
    if (this.#buffer.length === 0) {
      this.#buffer = chunk;
      return;
    }
    const joined = new Uint8Array(this.#buffer.length + chunk.length);
    joined.set(this.#buffer);
    joined.set(chunk, this.#buffer.length);
    this.#buffer = joined;
  }

  /** Every complete line read so far (with their line ends), or null. */
  take(): Uint8Array<ArrayBuffer> | null {
    const end = this.#buffer.lastIndexOf(NEWLINE);
    if (end < 0) return null;
    const lines = this.#buffer.slice(0, end + 1);
    this.#buffer = this.#buffer.subarray(end + 1);
    return lines;
  }
}

async function say(hello: HostHello): Promise<void> {
  await Deno.stdout.write(new TextEncoder().encode(`${JSON.stringify(hello)}\n`));
}

function serialize(error: unknown): SerializedError {
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: e.name, message: e.message };
}

/** Starts Python and the bridge; returns the bridge's submit, or null once the failure was said. */
async function boot(start: HostStart) {
  const tried: string[] = [];
  const opened = openLibrary(start.candidates, tried);
  if (opened === null) {
    await say({ type: "failed", stage: "library", error: serialize("No library loaded"), tried });
    return null;
  }
  const { py, candidate } = opened;
  try {
    initialise(py, candidate.home);
    const hello: HostHello = { type: "ready", library: candidate.path };
    const fn = startSession(py, start.bridge, {
      session: crypto.randomUUID(),
      root: start.root,
      front: candidate.front,
      paths: candidate.paths,
      hello: JSON.stringify(hello),
    });
    return (batch: Uint8Array<ArrayBuffer>) => submit(py, fn, batch);
  } catch (error) {
    await say({ type: "failed", stage: "start", error: serialize(error), tried });
    return null;
  }
}

async function main(): Promise<void> {
  const lines = new Lines();
  let forward: ((batch: Uint8Array<ArrayBuffer>) => void) | null = null;
  for await (const chunk of Deno.stdin.readable) {
    lines.push(chunk);
    const batch = lines.take();
    if (batch === null) continue;
    if (forward !== null) {
      forward(batch);
      continue;
    }
    const first = batch.indexOf(NEWLINE);
    const start = JSON.parse(new TextDecoder().decode(batch.subarray(0, first))) as HostStart;
    forward = await boot(start);
    if (forward === null) return;
    if (first + 1 < batch.length) forward(batch.slice(first + 1));
  }
}

if (import.meta.main) {
  await main();
  // Python's threads (the loop, sync handlers) must not keep the process alive.
  Deno.exit(0);
}
