// Starts the bundled example (a copy in a temp dir) as a `rohas dev`/`rohas start` subprocess.
import { fromFileUrl } from "./_helpers.ts";

const repo = fromFileUrl(new URL("../../", import.meta.url));
export const exampleDir = `${repo}/examples/hello-ts`;

/** A running server subprocess. */
export interface ServerProcess extends AsyncDisposable {
  url: string;
  port: number;
  dir: string;
  child: Deno.ChildProcess;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** Resolves when the output matches, or rejects after the deadline. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends a signal and waits for the exit status. */
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

/** Options of {@linkcode startServer}. */
export interface StartOptions {
  command?: "dev" | "start";
  /** The project to copy. Default the bundled example. */
  from?: string;
  watch?: boolean;
  /** Extra CLI arguments, such as `--workbench`. */
  args?: string[];
  /** Edits to the copied project before start. */
  prepare?: (dir: string) => Promise<void>;
  /** More environment variables for the server (it inherits this process's). */
  env?: Record<string, string>;
  /** Open file descriptors the server may hold (`ulimit -n`). Default: the inherited limit. */
  fileLimit?: number;
}

/** Copies a project tree, without its `.rohas/` state. */
export async function copyDir(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.name === ".rohas") continue; // Local state (counters, telemetry) is not copied.
    if (e.isDirectory) await copyDir(`${from}/${e.name}`, `${to}/${e.name}`);
    else await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
  }
}

/** Starts the example on a free port and waits until it listens. */
export async function startServer(options: StartOptions = {}): Promise<ServerProcess> {
  const dir = await Deno.makeTempDir({ prefix: "rohas-e2e-" });
  await copyDir(options.from ?? exampleDir, dir);
  await options.prepare?.(dir);
  const args = ["run", "-A", `${repo}/cli.ts`, options.command ?? "dev", "--port", "0"];
  if (options.command !== "start" && !options.watch) args.push("--no-watch");
  args.push(...(options.args ?? []));
  args.push(dir);
  // With a limit, bash sets it and then becomes deno (exec), so signals reach deno itself.
  const [command, commandArgs] = options.fileLimit === undefined
    ? [Deno.execPath(), args]
    : ["bash", [
      "-c",
      `ulimit -n ${options.fileLimit} && exec "$0" "$@"`,
      Deno.execPath(),
      ...args,
    ]];
  const child = new Deno.Command(command, {
    args: commandArgs,
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...options.env },
  }).spawn();
  let text = "";
  const waiters = new Set<() => void>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      for (const w of [...waiters]) w();
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  let status: Promise<Deno.CommandStatus> | null = null;
  const waitFor = (pattern: RegExp, timeoutMs = 30_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const m = text.match(pattern);
        if (!m) return;
        cleanup();
        resolve(m);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`Timed out waiting for ${pattern}; output:\n${text}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  const stop = async (signal: Deno.Signal = "SIGTERM") => {
    if (!status) {
      try {
        child.kill(signal);
      } catch {
        // Already exited.
      }
      status = child.status;
    }
    const s = await status;
    await pumps;
    return s;
  };
  try {
    const m = await waitFor(/listening on (http:\/\/[^\s]+)/);
    const url = m[1]!;
    return {
      url,
      port: Number(new URL(url).port),
      dir,
      child,
      output: () => text,
      waitFor,
      stop,
      async [Symbol.asyncDispose]() {
        await stop();
        await Deno.remove(dir, { recursive: true });
      },
    };
  } catch (error) {
    await stop("SIGKILL");
    await Deno.remove(dir, { recursive: true });
    throw error;
  }
}

/** Polls until `check` returns a value other than undefined, or fails after the deadline. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`Timed out waiting for ${what}${last ? `: ${last}` : ""}`);
}

/** Fetches JSON stats of the example's counters. */
export async function stats(url: string): Promise<Record<string, number>> {
  const res = await fetch(`${url}/stats`);
  const json = await res.json();
  if (res.status !== 200) throw new Error(`GET /stats: ${res.status} ${JSON.stringify(json)}`);
  return json.data;
}

/** Creates a user of the example (POST /users as a new `x-user-id`); fails unless it answers 200.
 *
 * @returns the new user's id, which keys the events its creation triggers
 */
export async function createUser(server: { url: string }): Promise<string> {
  const id = crypto.randomUUID();
  const res = await fetch(`${server.url}/users`, {
    method: "POST",
    headers: { "x-user-id": id, "content-type": "application/json" },
    body: JSON.stringify({ name: "Ann", email: "ann@example.com" }),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`POST /users: ${res.status} ${text}`);
  return id;
}
