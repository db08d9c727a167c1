// A project made by `rohas init --rohas <this checkout>` with the fixture of testdata/ (a counter
// API, an event failing its first attempts, a cron, a WebSocket room), and its main.ts started as
// the project's own deno.json tasks say.
import { join } from "node:path";
import { freePort, REPO, rohas, type TempDir, tempDir } from "../../testing/mod.ts";

const TESTDATA = new URL("./testdata/", import.meta.url);

/** A generated fixture project; removed on dispose. */
export interface FixtureProject extends AsyncDisposable {
  readonly dir: TempDir;
  /** The project root. */
  readonly root: string;
  /** The project's deno.json. */
  readonly denoJson: { tasks: Record<string, string>; imports: Record<string, string> };
}

/**
 * Inits a project linked to this checkout, replaces its example with the fixture and runs codegen.
 *
 * @param config the text of config/rohas.toml; default the fixture's
 */
export async function fixtureProject(config?: string): Promise<FixtureProject> {
  const dir = await tempDir({ prefix: "rohas_deploy_" });
  const init = await rohas(["init", "app", "--rohas", REPO, "--example", "blank"], {
    cwd: dir.path,
  });
  if (init.code !== 0) throw new Error(`rohas init failed:\n${init.stderr}`);
  const root = join(dir.path, "app");
  await Deno.remove(join(root, "schema/api/health.ro"));
  await Deno.remove(join(root, "src/handlers/api/health.ts"));
  await copyTree(TESTDATA, root);
  if (config !== undefined) await Deno.writeTextFile(join(root, "config/rohas.toml"), config);
  const codegen = await rohas(["codegen", root]);
  if (codegen.code !== 0) throw new Error(`rohas codegen failed:\n${codegen.stderr}`);
  const denoJson = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  return { dir, root, denoJson, [Symbol.asyncDispose]: () => dir[Symbol.asyncDispose]() };
}

/** The fixture's config with some lines added to the end (TOML tables can follow). */
export async function fixtureConfig(extra = ""): Promise<string> {
  return await Deno.readTextFile(new URL("config/rohas.toml", TESTDATA)) + extra;
}

async function copyTree(from: URL, to: string): Promise<void> {
  for await (const entry of Deno.readDir(from)) {
    const target = join(to, entry.name);
    if (entry.isDirectory) {
      await Deno.mkdir(target, { recursive: true });
      await copyTree(new URL(`${entry.name}/`, from), target);
    } else {
      await Deno.copyFile(new URL(entry.name, from), target);
    }
  }
}

/** A running `deno serve` of main.ts. */
export interface Served extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** Kills the process at once (SIGKILL) and waits for it. */
  kill(): Promise<void>;
}

/** Options of {@linkcode serve}. */
export interface ServeOptions {
  /** Extra environment. */
  env?: Record<string, string>;
  /** Keep `--parallel` of the serve task. Default false (one isolate). */
  parallel?: boolean;
  /** The working directory. Default the project root. */
  cwd?: string;
}

/**
 * Runs the project's `serve` task as written in its deno.json (flags included), on a free port of
 * the loopback; resolves once it listens, rejects with its stderr when it exits first.
 */
export async function serve(project: FixtureProject, options: ServeOptions = {}): Promise<Served> {
  const words = project.denoJson.tasks.serve!.split(" ");
  if (words[0] !== "deno" || words[1] !== "serve") throw new Error(`Unexpected task ${words}`);
  const flags = words.slice(2).filter((w) => options.parallel || w !== "--parallel");
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["serve", "--host", "127.0.0.1", "--port", String(port), ...flags],
    cwd: options.cwd ?? project.root,
    env: { NO_COLOR: "1", DENO_JOBS: "2", ...options.env },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let text = "";
  const listening = Promise.withResolvers<void>();
  const reading = (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      if (/Listening on http:\/\/127\.0\.0\.1/.test(text)) listening.resolve();
    }
    listening.reject(new Error(`deno serve exited before listening:\n${text}`));
  })();
  let done = false;
  const stop = async (signal: Deno.Signal) => {
    if (done) return;
    done = true;
    const send = (signal: Deno.Signal) => {
      try {
        child.kill(signal);
      } catch {
        // It has already exited.
      }
    };
    send(signal);
    // A process that does not drain within the app's shutdown timeout is a failure of its own.
    const late = setTimeout(() => send("SIGKILL"), 15_000);
    const status = await child.status;
    clearTimeout(late);
    await reading;
    if (signal === "SIGTERM" && status.signal === "SIGKILL") {
      throw new Error(`deno serve did not stop on SIGTERM:\n${text}`);
    }
  };
  try {
    await listening.promise;
  } catch (error) {
    await stop("SIGKILL");
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stderr: () => text,
    kill: () => stop("SIGKILL"),
    [Symbol.asyncDispose]: () => stop("SIGTERM"),
  };
}

/** What an isolate of the fixture saw (`GET /count`). */
export interface Counters {
  isolate: string;
  ticks: number;
  attempts: number;
  handled: string[];
  /** Pings in state.kv, stored by any isolate. */
  stored: number;
  /** Events handled by any isolate, as state.kv records them. */
  handledAnywhere: string[];
}

/** `GET /count` of whichever isolate answers. */
export async function counters(url: string): Promise<Counters> {
  const res = await fetch(`${url}/count`);
  if (res.status !== 200) throw new Error(`GET /count: ${res.status} ${await res.text()}`);
  return (await res.json() as { data: Counters }).data;
}

/** `POST /ping`: publishes a Pinged event failing `failures` times; resolves to its id. */
export async function ping(url: string, failures: number): Promise<string> {
  const res = await fetch(`${url}/ping`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ failures }),
  });
  if (res.status !== 200) throw new Error(`POST /ping: ${res.status} ${await res.text()}`);
  return (await res.json() as { data: { id: string } }).data.id;
}

/** Polls until `check` passes (it throws while it does not), up to `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
