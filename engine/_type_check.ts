/**
 * The background type check of `rohas dev`: `deno check` over the handlers after each edit, off
 * the reload's path (a reload takes milliseconds, a check seconds) and never holding requests. Its
 * result is told as it comes. A new edit stops the check that runs (its answer would be stale, and
 * on a small machine its CPU would slow the reload down); the reload then asks for a new one.
 *
 * @module
 */

/** What one check found. */
export interface TypeCheckResult {
  /** Whether `deno check` passed. */
  ok: boolean;
  /** Its diagnostics, without colours (empty when it passed). */
  output: string;
  /** How long it took. */
  ms: number;
}

/** Options of {@linkcode TypeCheck}. */
export interface TypeCheckOptions {
  /** The project root (`deno check` runs there, with the project's `deno.json`). */
  root: string;
  /** Told each result. */
  onResult: (result: TypeCheckResult) => void;
  /**
   * Quiet time after a request before the check starts, in ms. Default 1000: edits often come in
   * runs (save, save again), and a check started at each would compete with the reloads for CPU.
   */
  delayMs?: number;
}

/** Runs `deno check` one at a time, coalescing requests made while one runs. */
export class TypeCheck {
  readonly #options: TypeCheckOptions;
  #running: Promise<void> | null = null;
  #child: Deno.ChildProcess | null = null;
  #queued: readonly string[] | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(options: TypeCheckOptions) {
    this.#options = options;
  }

  /**
   * Checks `roots` (absolute paths) after the quiet time, or after the check that runs then.
   *
   * @param roots the modules to check
   */
  request(roots: readonly string[]): void {
    if (this.#closed || roots.length === 0) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#start(roots), this.#options.delayMs ?? 1000);
  }

  #start(roots: readonly string[]): void {
    if (this.#running !== null) {
      this.#queued = roots;
      return;
    }
    this.#running = this.#run(roots).finally(() => {
      this.#running = null;
      const next = this.#queued;
      this.#queued = null;
      if (next !== null) this.#start(next);
    });
  }

  /** Stops the check that runs, if any, without telling its result; a later request runs. */
  cancel(): void {
    clearTimeout(this.#timer);
    this.#queued = null;
    const child = this.#child;
    if (child === null) return;
    this.#child = null;
    try {
      child.kill();
    } catch (error) {
      // It had just ended by itself.
      if (!(error instanceof TypeError)) throw error;
    }
  }

  /** Stops the check that runs, if any. */
  async close(): Promise<void> {
    this.#closed = true;
    this.cancel();
    await this.#running;
  }

  async #run(roots: readonly string[]): Promise<void> {
    const started = performance.now();
    const child = new Deno.Command(Deno.execPath(), {
      args: ["check", "--quiet", ...roots],
      cwd: this.#options.root,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#child = child;
    const output = await child.output();
    // Cancelled (or closed): another edit came; its own check tells the news.
    if (this.#child !== child) return;
    this.#child = null;
    const decoder = new TextDecoder();
    const text = (decoder.decode(output.stderr) + decoder.decode(output.stdout)).trim();
    this.#options.onResult({
      ok: output.success,
      output: output.success ? "" : text,
      ms: performance.now() - started,
    });
  }
}
