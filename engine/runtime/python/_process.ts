/**
 * One Python host process, seen from the server: started with `deno run --allow-ffi` (libpython is
 * opened through `Deno.dlopen` in there), spoken to in JSON lines over its stdin and stdout. A crash
 * of the interpreter (a segfaulting C extension) ends that process only; {@linkcode HostProcess.exited}
 * says how it ended.
 *
 * @module
 */

import type { HostHello, HostStart, KvAsk, Reply } from "./_protocol.ts";
import { PythonLibraryNotFoundError, PythonStartError } from "./errors.ts";

const HOST_ENTRY = new URL("./_host.ts", import.meta.url).href;
const encoder = new TextEncoder();

/** What {@linkcode spawnHost} needs. */
export interface SpawnOptions {
  /** The start line: libraries, project root, bridge source. */
  start: HostStart;
  /** Problems met while locating libpython, put in front of the host's list when none loads. */
  problems: string[];
  /** Called with each reply (and each `state.kv` operation a handler asks for), in order. */
  onReply: (reply: Reply | KvAsk) => void;
}

/**
 * Starts a host and waits for its hello.
 *
 * @throws {PythonLibraryNotFoundError} when no candidate library loads
 * @throws {PythonStartError} when the interpreter, the bridge or the process fails to start
 */
export async function spawnHost(options: SpawnOptions): Promise<HostProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-ffi", "--no-prompt", "--quiet", HOST_ENTRY],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const host = new HostProcess(child, options.onReply);
  host.send(JSON.stringify(options.start));
  const hello = await host.hello;
  if (hello.type === "ready") return host;
  await host.close(1_000);
  if (hello.stage === "library") {
    throw new PythonLibraryNotFoundError([...options.problems, ...hello.tried]);
  }
  throw new PythonStartError(`Cannot start the Python runtime: ${hello.error.message}`);
}

/** A running host; start one with {@linkcode spawnHost}. */
export class HostProcess {
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #outbox: string[] = [];
  #writing = false;
  #reading: Promise<void>;
  #hello = Promise.withResolvers<HostHello>();
  /** Resolves with how the process ended, such as `signal SIGSEGV` or `exit code 1`. */
  readonly exited: Promise<string>;

  /** Use {@linkcode spawnHost}. */
  constructor(child: Deno.ChildProcess, onReply: (reply: Reply | KvAsk) => void) {
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    // A write to a host that died fails; its death is reported through `exited`.
    this.#writer.closed.catch(() => {});
    this.exited = child.status.then(describe);
    this.#reading = this.#read(onReply);
  }

  /** The host's first line; a host that ended without one failed to start. */
  get hello(): Promise<HostHello> {
    return this.#hello.promise;
  }

  async #read(onReply: (reply: Reply | KvAsk) => void): Promise<void> {
    const reader = this.#child.stdout.getReader();
    const decoder = new TextDecoder();
    let carry = "";
    let greeted = false;
    try {
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        const lines = (carry + decoder.decode(chunk.value, { stream: true })).split("\n");
        carry = lines.pop() ?? "";
        for (const line of lines) {
          if (greeted) onReply(parseReply(line));
          else this.#hello.resolve(JSON.parse(line) as HostHello);
          greeted = true;
        }
      }
    } catch {
      // The pipe broke with the process; `exited` says how it ended.
    }
    if (!greeted) this.#hello.resolve(await this.#silent());
  }

  async #silent(): Promise<HostHello> {
    const how = await this.exited;
    const error = { name: "PythonStartError", message: `The Python host ended (${how})` };
    return { type: "failed", stage: "start", error, tried: [] };
  }

  /**
   * Queues one JSON message. Everything sent until the event loop has dispatched the requests it
   * polled (`setImmediate`, not a microtask: each request runs in a task of its own) goes in one
   * write, as does everything sent while a write is in flight. Under load one write then carries
   * many calls, which halved the CPU per request of both the server and the host (one pipe write
   * and one wake-up of the host per call before; bench/python_bench.ts).
   */
  send(json: string): void {
    this.#outbox.push(json);
    if (this.#outbox.length > 1 || this.#writing) return;
    setImmediate(() => this.#flush());
  }

  async #flush(): Promise<void> {
    this.#writing = true;
    while (this.#outbox.length > 0) {
      this.#outbox.push("");
      const batch = this.#outbox.join("\n");
      this.#outbox = [];
      try {
        await this.#writer.write(encoder.encode(batch));
      } catch {
        // The host died; `exited` reports it and fails the calls.
        this.#outbox = [];
      }
    }
    this.#writing = false;
  }

  /** Ends the process at once (SIGKILL). */
  kill(): void {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // It has already exited.
    }
  }

  /** Closes its stdin (the host exits), kills it past the deadline, waits until it is gone. */
  async close(deadlineMs: number): Promise<void> {
    await this.#writer.close().catch(() => {});
    const timer = setTimeout(() => this.kill(), deadlineMs);
    await this.exited;
    clearTimeout(timer);
    await this.#reading;
  }
}

/** The head of a successful call's reply without effects, as the bridge writes it. */
const BARE_OK = /^\{"id": (\d+), "ok": true\}$/;

/** A reply line: JSON, then for a handler call's output a tab and the output's JSON text. */
function parseReply(line: string): Reply | KvAsk {
  const tab = line.indexOf("\t");
  if (tab < 0) return JSON.parse(line) as Reply | KvAsk;
  const head = line.slice(0, tab);
  const json = line.slice(tab + 1);
  // Most replies are a bare success: its id read off the text, no JSON.parse.
  const bare = BARE_OK.exec(head);
  if (bare !== null) return { id: Number(bare[1]), ok: true, json };
  const reply = JSON.parse(head) as Reply & { ok: true };
  reply.json = json;
  return reply;
}

function describe(status: Deno.CommandStatus): string {
  return status.signal ? `signal ${status.signal}` : `exit code ${status.code}`;
}
