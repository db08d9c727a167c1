/**
 * Runs `rohas dev --no-watch` (or `rohas start`) on a project as a child process for end-to-end
 * tests.
 *
 * @module
 */

import { freePort } from "../../testing/mod.ts";

const CLI = new URL("../../cli.ts", import.meta.url).pathname;

/** A running dev server; `close()` stops it (SIGTERM) and waits for the process. */
export interface DevServer extends AsyncDisposable {
  base: string;
  port: number;
  /** Everything the server printed so far. */
  output(): string;
  /** Resolves once the output matches, or rejects after the deadline (default 20000 ms). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/** Options of {@linkcode startDevServer}. */
export interface DevServerOptions {
  /** `dev` (default) or `start`. */
  command?: "dev" | "start";
  /** Watch files and hot reload. Default false (`--no-watch`). */
  watch?: boolean;
  /** Serve the workbench (`--workbench`). Default false. */
  workbench?: boolean;
  /** How long to wait for "listening on". Default 60000 ms. */
  timeoutMs?: number;
}

/** Starts the CLI's server (`dev` unless told) on a free port and resolves once it listens. */
export async function startDevServer(
  root: string,
  options: DevServerOptions = {},
): Promise<DevServer> {
  const port = freePort();
  const timeoutMs = options.timeoutMs ?? 60_000;
  const command = options.command ?? "dev";
  const flags = [
    ...(options.watch || command === "start" ? [] : ["--no-watch"]),
    ...(options.workbench ? ["--workbench"] : []),
  ];
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, command, ...flags, "--port", String(port), root],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const waiters = new Set<() => void>();
  const { promise: listening, resolve } = Promise.withResolvers<boolean>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      if (text.includes("listening on")) resolve(true);
      for (const waiter of [...waiters]) waiter();
    }
  };
  const waitFor = (pattern: RegExp, ms = 20_000) =>
    new Promise<void>((done, fail) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        fail(new Error(`No ${pattern} in the output after ${ms} ms:\n${text}`));
      }, ms);
      const check = () => {
        if (!pattern.test(text)) return;
        waiters.delete(check);
        clearTimeout(timer);
        done();
      };
      waiters.add(check);
      check();
    });
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const timer = setTimeout(() => resolve(false), timeoutMs);
  const exited = child.status.then(() => resolve(false));
  const ok = await listening;
  clearTimeout(timer);
  const server: DevServer = {
    base: `http://127.0.0.1:${port}`,
    port,
    output: () => text,
    waitFor,
    async [Symbol.asyncDispose]() {
      try {
        child.kill("SIGTERM");
      } catch {
        // already exited
      }
      await Promise.all([child.status, pumps, exited]);
    },
  };
  if (!ok) {
    await server[Symbol.asyncDispose]();
    throw new Error(`The dev server did not start:\n${text}`);
  }
  return server;
}
