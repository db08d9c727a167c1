/**
 * The background type check of `rohas dev`: `deno check` over the handlers after each edit, off
 * the reload's path (a reload takes milliseconds, a check seconds) and never holding requests. Its
 * result is told as it comes; edits made while a check runs start one more check after it.
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
}

/** Runs `deno check` one at a time, coalescing requests made while one runs. */
export class TypeCheck {
  readonly #options: TypeCheckOptions;
  #running: Promise<void> | null = null;
  #child: Deno.ChildProcess | null = null;
  #queued: readonly string[] | null = null;
  #closed = false;

  constructor(options: TypeCheckOptions) {
    this.#options = options;
  }

  /**
   * Checks `roots` (absolute paths) now, or after the check that runs.
   *
   * @param roots the modules to check
   */
  request(roots: readonly string[]): void {
    if (this.#closed || roots.length === 0) return;
    if (this.#running !== null) {
      this.#queued = roots;
      return;
    }
    this.#running = this.#run(roots).finally(() => {
      this.#running = null;
      const next = this.#queued;
      this.#queued = null;
      if (next !== null) this.request(next);
    });
  }

  /** Stops the check that runs, if any. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#queued = null;
    try {
      this.#child?.kill();
    } catch (error) {
      // It had just ended by itself.
      if (!(error instanceof TypeError)) throw error;
    }
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
    this.#child = null;
    if (this.#closed) return;
    const decoder = new TextDecoder();
    const text = (decoder.decode(output.stderr) + decoder.decode(output.stdout)).trim();
    this.#options.onResult({
      ok: output.success,
      output: output.success ? "" : text,
      ms: performance.now() - started,
    });
  }
}
