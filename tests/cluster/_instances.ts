/**
 * Several `rohas start` instances of one project on one broker, as separate processes, the way
 * users run them: one checkout (a temp copy of the project), each instance told its port, id and
 * telemetry path through `ROHAS_*` environment variables. Start them, wait until they listen, stop
 * (SIGTERM, drained) or kill (`kill -9`) one, start it again.
 *
 * @example
 * ```ts ignore
 * await using cluster = await startCluster({ adapter: "nats" });
 * await fetch(`${cluster.instances[0].url}/jobs`, { method: "POST", ... });
 * await cluster.instances[1].kill();
 * ```
 *
 * @module
 */

import { brokerUrl } from "../adapters/_brokers.ts";
import { copyDir } from "../engine/_server.ts";
import { freePorts } from "../../testing/mod.ts";

const repo = new URL("../../", import.meta.url).pathname;

/** The project the cluster tests run (three consumer groups' worth of counting; see its schema). */
export const FIXTURE_DIR = new URL("./fixture/", import.meta.url).pathname;

/** The adapters an instance group can run on. */
export type ClusterAdapter =
  | "nats"
  | "rabbitmq"
  | "kafka"
  | "sqs"
  | "denokv"
  | "rocksdb"
  | "memory";

/** The real brokers (scripts/brokers/start.sh). */
export const BROKERS = ["nats", "rabbitmq", "kafka", "sqs"] as const;

/**
 * The `[adapter]` table of each adapter, with redelivery after a crash shortened to seconds
 * (a killed instance's unacknowledged events come back to the others sooner).
 */
export function adapterTable(adapter: ClusterAdapter): string {
  switch (adapter) {
    case "nats":
      return `type = "nats"\nurl = "${brokerUrl("nats")}"\nack_wait_ms = 3000`;
    case "rabbitmq":
      return `type = "rabbitmq"\nurl = "${brokerUrl("rabbitmq")}"`;
    case "kafka":
      // Three partitions: each instance of a group gets one, so all three share the work.
      return `type = "kafka"\nbrokers = "${brokerUrl("kafka")}"\npartitions = 3`;
    case "sqs":
      return `type = "sqs"\nendpoint = "${
        brokerUrl("sqs")
      }"\nwait_time_s = 1\nvisibility_timeout_s = 3`;
    case "denokv":
    case "rocksdb":
    case "memory":
      return `type = "${adapter}"`;
  }
}

/** Options of {@linkcode startCluster}. */
export interface ClusterOptions {
  /** The broker (or embedded adapter) every instance uses. */
  adapter: ClusterAdapter;
  /** How many instances. Default 3. */
  instances?: number;
  /** The project to copy. Default {@linkcode FIXTURE_DIR}. */
  from?: string;
  /** Extra lines appended to the `[adapter]` table. Default none. */
  adapterLines?: string;
  /** Edits to the copied project before any instance starts. */
  prepare?: (dir: string) => Promise<void>;
  /** Environment of every instance (each also gets its own `ROHAS_PORT`, `ROHAS_INSTANCE_ID`...). */
  env?: Record<string, string>;
  /** Environment of instance `index` only, on top of `env`. */
  envOf?: (index: number) => Record<string, string>;
  /** Extra CLI arguments of `rohas start`, such as `--workbench`. */
  args?: string[];
  /** How long an instance may take to listen. Default 60 s (three start at once on two cores). */
  readyTimeoutMs?: number;
}

/** One instance: a `rohas start` process. */
export interface Instance {
  /** 0-based. */
  readonly index: number;
  /** Its `ROHAS_INSTANCE_ID`, `i<index>`. */
  readonly id: string;
  /** Its port (`ROHAS_PORT`), the same across restarts. */
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The environment it was started with (its own variables included). */
  readonly env: Record<string, string>;
  /** The current process; null once stopped or killed. */
  process(): Deno.ChildProcess | null;
  /** Everything the current process printed (stdout and stderr). */
  output(): string;
  /** Resolves when the current output matches; rejects after the deadline with the output. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM (a drained shutdown) and waits for the exit. */
  stop(): Promise<Deno.CommandStatus>;
  /** SIGKILL (`kill -9`: nothing drained) and waits for the exit. */
  kill(): Promise<Deno.CommandStatus>;
  /** Starts it again (same port, id and paths) and waits until it listens. */
  start(): Promise<void>;
}

/** Instances of one project sharing one broker. */
export interface Cluster extends AsyncDisposable {
  /** The project copy every instance runs from. */
  readonly dir: string;
  /** The unique project name (the broker's streams, queues and topics are named after it). */
  readonly name: string;
  readonly instances: Instance[];
  /** Stops every running instance (SIGTERM). */
  stop(): Promise<void>;
}

/**
 * Copies the project, points it at the adapter under a unique project name, and starts the
 * instances at once, resolving once all of them listen.
 *
 * @param options the adapter, how many, and overrides
 * @returns the running instances; dispose to stop them and remove the copy
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const dir = await Deno.makeTempDir({ prefix: `rohas-cluster-${options.adapter}-` });
  await copyDir(options.from ?? FIXTURE_DIR, dir);
  const name = `cluster-${options.adapter}-${crypto.randomUUID().slice(0, 8)}`;
  await configure(dir, name, `${adapterTable(options.adapter)}\n${options.adapterLines ?? ""}`);
  await options.prepare?.(dir);
  const count = options.instances ?? 3;
  const ports = freePorts(count);
  const instances = ports.map((port, index) =>
    new InstanceProcess(dir, index, port, {
      ...options.env,
      ...options.envOf?.(index),
    }, options)
  );
  const cluster: Cluster = {
    dir,
    name,
    instances,
    stop: async () => {
      await Promise.all(instances.map((i) => i.stop()));
    },
    async [Symbol.asyncDispose]() {
      await Promise.all(instances.map((i) => i.kill()));
      await Deno.remove(dir, { recursive: true });
    },
  };
  try {
    await Promise.all(instances.map((i) => i.start()));
  } catch (error) {
    await cluster[Symbol.asyncDispose]();
    throw error;
  }
  return cluster;
}

/** Rewrites the copy's name and `[adapter]` table (the rest of `[adapter]` is kept). */
async function configure(dir: string, name: string, adapter: string): Promise<void> {
  const file = `${dir}/config/rohas.toml`;
  const text = await Deno.readTextFile(file);
  const renamed = text.replace(/^name = ".*"$/m, `name = "${name}"`);
  const lines = renamed.replace(/^\[adapter\]\ntype = ".*"$/m, `[adapter]\n${adapter}`);
  if (lines === renamed) throw new Error(`${file}: no [adapter] table starting with its type`);
  await Deno.writeTextFile(file, lines);
}

class InstanceProcess implements Instance {
  readonly index: number;
  readonly id: string;
  readonly port: number;
  readonly url: string;
  readonly env: Record<string, string>;
  #dir: string;
  #options: ClusterOptions;
  #child: Deno.ChildProcess | null = null;
  #exited: Promise<Deno.CommandStatus> | null = null;
  #text = "";
  #waiters = new Set<() => void>();

  constructor(
    dir: string,
    index: number,
    port: number,
    env: Record<string, string>,
    options: ClusterOptions,
  ) {
    this.#dir = dir;
    this.#options = options;
    this.index = index;
    this.id = `i${index}`;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.env = {
      NO_COLOR: "1",
      ROHAS_PORT: String(port),
      ROHAS_INSTANCE_ID: this.id,
      ROHAS_TELEMETRY_PATH: `.rohas/telemetry-${this.id}`,
      ...env,
    };
  }

  process(): Deno.ChildProcess | null {
    return this.#child;
  }

  output(): string {
    return this.#text;
  }

  async start(): Promise<void> {
    if (this.#child) throw new Error(`Instance ${this.id} is already running`);
    this.#text = "";
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${repo}cli.ts`, "start", ...(this.#options.args ?? []), this.#dir],
      cwd: this.#dir,
      env: this.env,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#child = child;
    const pumps = Promise.all([this.#pump(child.stdout), this.#pump(child.stderr)]);
    this.#exited = child.status.then(async (status) => {
      await pumps;
      return status;
    });
    // An instance that exits before it listens fails the start at once, with what it printed.
    const exitedEarly = this.#exited.then((status) => {
      throw new Error(
        `Instance ${this.id} exited (${status.code}) before listening:\n${this.#text}`,
      );
    });
    const listening = this.waitFor(/listening on http/, this.#options.readyTimeoutMs ?? 60_000);
    listening.catch(() => {});
    try {
      await Promise.race([listening, exitedEarly]);
    } catch (error) {
      await this.kill();
      throw error;
    } finally {
      exitedEarly.catch(() => {});
    }
  }

  async #pump(stream: ReadableStream<Uint8Array>): Promise<void> {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      this.#text += chunk;
      for (const wake of [...this.#waiters]) wake();
    }
  }

  waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = this.#text.match(pattern);
        if (!match) return;
        done();
        resolve(match);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`Instance ${this.id}: timed out waiting for ${pattern}:\n${this.#text}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  stop(): Promise<Deno.CommandStatus> {
    return this.#end("SIGTERM");
  }

  kill(): Promise<Deno.CommandStatus> {
    return this.#end("SIGKILL");
  }

  async #end(signal: Deno.Signal): Promise<Deno.CommandStatus> {
    const child = this.#child;
    const exited = this.#exited;
    if (!child || !exited) return { success: true, code: 0, signal: null };
    try {
      child.kill(signal);
    } catch (error) {
      // It exited already: its status says how.
      if (!(error instanceof TypeError)) throw error;
    }
    const status = await exited;
    this.#child = null;
    this.#exited = null;
    return status;
  }
}

/** Reads `out/<file>.log` of the project copy: one `[what, pid]` per line. */
export async function records(cluster: Cluster, file: string): Promise<[string, string][]> {
  let text: string;
  try {
    text = await Deno.readTextFile(`${cluster.dir}/out/${file}.log`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return text.split("\n").filter((l) => l !== "").map((l) => l.split(" ") as [string, string]);
}

/** Counts each value: how many lines say it. */
export function tally(values: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}
