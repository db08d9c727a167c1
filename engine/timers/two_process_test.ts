import assert from "node:assert/strict";
import { kvOver, openDenoKvBackend } from "../../state/mod.ts";
import { openTimerStore } from "./mod.ts";

const FIXTURE = new URL("./testdata/timer_process.ts", import.meta.url).pathname;

/** A `timer_process.ts` process and the lines it printed. */
class TimerProcess {
  readonly lines: string[] = [];
  #child: Deno.ChildProcess;
  #waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  #ended: Promise<void>;

  constructor(path: string, instanceId: string) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", FIXTURE, path, instanceId],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#ended = this.#read();
  }

  async #read(): Promise<void> {
    let rest = "";
    for await (const text of this.#child.stdout.pipeThrough(new TextDecoderStream())) {
      const lines = (rest + text).split("\n");
      rest = lines.pop()!;
      for (const line of lines) this.#take(line);
    }
  }

  #take(line: string): void {
    this.lines.push(line);
    this.#waiters = this.#waiters.filter((waiter) => {
      if (!waiter.match(line)) return true;
      waiter.resolve(line);
      return false;
    });
  }

  /** The first line (printed from now on, or already) that matches. */
  line(match: (line: string) => boolean): Promise<string> {
    const seen = this.lines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    const { promise, resolve } = Promise.withResolvers<string>();
    this.#waiters.push({ match, resolve });
    return promise;
  }

  /** Ends the process with `signal` and waits for its output to end. */
  async end(signal: Deno.Signal): Promise<void> {
    try {
      this.#child.kill(signal);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error; // already exited
    }
    await this.#child.status;
    await this.#ended;
  }
}

function firedIds(...processes: TimerProcess[]): string[] {
  return processes.flatMap((p) => p.lines.filter((l) => l.startsWith("fired ")))
    .map((l) => l.split(" ")[1]!);
}

Deno.test("two processes on one Deno KV file fire each timer once, and a timer claimed by a process killed with kill -9 fires in the other", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rohas-timers-2p-" });
  const path = `${dir}/state.kv`;
  const kv = kvOver(await openDenoKvBackend({ path }));
  const timers = openTimerStore(kv, { name: "t", instanceId: "test" });
  const a = new TimerProcess(path, "a");
  const b = new TimerProcess(path, "b");
  try {
    await Promise.all([a.line((l) => l === "ready"), b.line((l) => l === "ready")]);
    const start = Date.now() + 200;
    for (let n = 0; n < 40; n++) await timers.schedule(`t${n}`, start + (n % 8) * 25, n);
    await Promise.all(
      Array.from(
        { length: 40 },
        (_, n) => Promise.race([a, b].map((p) => p.line((l) => l.startsWith(`fired t${n} `)))),
      ),
    );
    // The first claim of "hung" never finishes: kill -9 its claimer; the other fires it, and one
    // more timer due after the kill.
    await timers.schedule("hung", Date.now() + 300, { hang: true });
    await timers.schedule("later", Date.now() + 1_500, {});
    const claimer = await Promise.race(
      [a, b].map((p) => p.line((l) => l === "claimed hung 1").then(() => p)),
    );
    const survivor = claimer === a ? b : a;
    await claimer.end("SIGKILL");
    assert.equal(await survivor.line((l) => l.startsWith("fired hung ")), "fired hung 2");
    assert.equal(await survivor.line((l) => l.startsWith("fired later ")), "fired later 1");
    await survivor.end("SIGTERM");
    const fired = firedIds(a, b);
    assert.equal(fired.length, 42, `fired: ${a.lines} | ${b.lines}`);
    assert.equal(new Set(fired).size, 42, "no timer fired twice");
    assert.ok(firedIds(a).length > 0 && firedIds(b).length > 0, "both processes fired timers");
    assert.deepEqual(await timers.list(), []);
  } finally {
    await Promise.all([a.end("SIGKILL"), b.end("SIGKILL")]);
    await kv.close();
    await Deno.remove(dir, { recursive: true });
  }
});
