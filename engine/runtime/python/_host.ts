/**
 * The Python host: the entry point of the child process that owns libpython. The server starts it
 * with `deno run --allow-ffi` (see `_process.ts`) and writes one start line on its stdin. The host
 * opens libpython, starts the interpreter and the bridge, and from then on stays out of the way: the
 * bridge reads the calls from stdin on a Python thread and writes the hello and every reply to
 * stdout itself (no hop through this isolate), and ends the process when stdin closes (the server
 * closed it, or died).
 *
 * @module
 */

import type { SerializedError } from "../contract.ts";
import type { HostHello, HostStart } from "./_protocol.ts";
import { initialise, openLibrary, startSession } from "./_libpython.ts";

const NEWLINE = 10;

/** Reads stdin up to the end of the first line; nothing after it (the server waits for hello). */
async function readStart(): Promise<HostStart | null> {
  const buffer = new Uint8Array(1 << 16);
  let text = new Uint8Array(0);
  while (!text.includes(NEWLINE)) {
    const n = await Deno.stdin.read(buffer);
    if (n === null) return null;
    const joined = new Uint8Array(text.length + n);
    joined.set(text);
    joined.set(buffer.subarray(0, n), text.length);
    text = joined;
  }
  return JSON.parse(new TextDecoder().decode(text.subarray(0, text.indexOf(NEWLINE))));
}

async function say(hello: HostHello): Promise<void> {
  await Deno.stdout.write(new TextEncoder().encode(`${JSON.stringify(hello)}\n`));
}

function serialize(error: unknown): SerializedError {
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: e.name, message: e.message };
}

/** Starts Python and the bridge; false once the failure was said. */
async function boot(start: HostStart): Promise<boolean> {
  const tried: string[] = [];
  const opened = openLibrary(start.candidates, tried);
  if (opened === null) {
    await say({ type: "failed", stage: "library", error: serialize("No library loaded"), tried });
    return false;
  }
  const { py, candidate } = opened;
  try {
    initialise(py, candidate.home);
    const hello: HostHello = { type: "ready", library: candidate.path };
    startSession(py, start.bridge, {
      root: start.root,
      sync_threads: start.syncThreads,
      front: candidate.front,
      paths: candidate.paths,
      hello: JSON.stringify(hello),
    });
    return true;
  } catch (error) {
    await say({ type: "failed", stage: "start", error: serialize(error), tried });
    return false;
  }
}

if (import.meta.main) {
  const start = await readStart();
  if (start === null || !(await boot(start))) Deno.exit(1);
  // The bridge's threads do the work and exit the process; this timer only keeps it alive.
  setInterval(() => {}, 1 << 30);
}
