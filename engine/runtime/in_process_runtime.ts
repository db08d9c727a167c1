/**
 * The in-process runtime: runs TypeScript handlers from the generated manifest
 * (`src/generated/manifest.ts`) in the engine's own isolate, for Deno Deploy and `deno compile`,
 * where Workers with their own permissions are not available.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { relative, sep } from "node:path";
import type {
  HandlerRef,
  HandlerRuntime,
  Invocation,
  InvocationResult,
  RuntimePayloads,
  SerializedError,
} from "./contract.ts";
import type { PayloadCheck } from "../events/payload_check.ts";
import { callHandler, failed } from "./_call_handler.ts";
import { refineFailure } from "./_classify.ts";
import {
  HandlerNotFoundError,
  HandlerTimeoutError,
  RuntimeClosedError,
  RuntimeUnsupportedError,
} from "./errors.ts";
import { serializeError } from "./protocol.ts";
import { Deadline, Deadlines } from "./_deadlines.ts";
import type { Kv } from "../../state/mod.ts";

/** The generated manifest: the project root URL and every handler module by project path. */
export interface HandlerManifest {
  /** `import.meta.resolve("../../")` of the manifest: the project root as a URL. */
  root: string;
  /** Module namespaces keyed by project-relative POSIX path (`src/handlers/api/x.ts`). */
  modules: Record<string, Record<string, unknown>>;
}

/** Options of {@linkcode createInProcessRuntime}. */
export interface InProcessRuntimeOptions {
  /** The generated manifest. */
  manifest: HandlerManifest;
  /** How long {@linkcode HandlerRuntime.close} waits for calls in flight. Default 10000. */
  drainTimeoutMs?: number;
  /** What handlers see as \`state.kv\`. Default: none (using it throws a \`StateError\`). */
  kv?: Kv;
}

/**
 * Creates a runtime that calls handlers directly. There is no isolation: permissions are the
 * process's own, and a timed-out call is answered with `timeout` but keeps running (an isolate
 * cannot stop its own code). `reload` is unsupported: the modules are static imports.
 *
 * @example With a project's generated manifest (not run as a documentation test: it needs the project)
 * ```ts ignore
 * import { manifest } from "./src/generated/manifest.ts";
 * const runtime = createInProcessRuntime({ manifest });
 * ```
 *
 * @param options the manifest and drain deadline
 * @returns the runtime
 */
export function createInProcessRuntime(options: InProcessRuntimeOptions): HandlerRuntime {
  return new InProcessRuntime(options);
}

class InProcessRuntime implements HandlerRuntime {
  readonly #options: InProcessRuntimeOptions;
  readonly #rootPath: string;
  readonly #deadlines = new Deadlines();
  /** Manifest keys by absolute file (path arithmetic costs more than a call). */
  readonly #keys = new Map<string, string>();
  #inFlight = 0;
  #closed = false;
  #idle: (() => void) | undefined;
  #check: PayloadCheck | undefined;

  constructor(options: InProcessRuntimeOptions) {
    this.#options = options;
    this.#rootPath = fileURLToPath(options.manifest.root);
  }

  invoke(invocation: Invocation): Promise<InvocationResult> {
    const answer = this.invokeNow(invocation);
    return answer instanceof Promise ? answer : Promise.resolve(answer);
  }

  invokeNow(invocation: Invocation): InvocationResult | Promise<InvocationResult> {
    const { handler } = invocation;
    const started = performance.now();
    if (this.#closed) {
      const error = new RuntimeClosedError(`Runtime is closed: cannot run "${handler.name}"`);
      return failed("error", error, [], started);
    }
    if (handler.language !== "typescript") {
      const message = `Cannot run "${handler.name}": the in-process runtime runs TypeScript only`;
      return failed("error", new RuntimeUnsupportedError(message), [], started);
    }
    const namespace = this.#options.manifest.modules[this.#key(handler.file)];
    if (namespace === undefined) return failed("not_found", notInManifest(handler), [], started);
    const outcome = callHandler(namespace, invocation, {
      started,
      check: this.#check,
      kv: this.#options.kv,
    });
    // A handler that answered synchronously is done: no deadline, nothing in flight.
    if (!(outcome instanceof Promise)) return this.#settled(outcome, handler);
    return this.#awaitWithDeadline(outcome, invocation, started);
  }

  checkPayloads(payloads: RuntimePayloads): void {
    this.#check = payloads.check;
  }

  reload(file: string): Promise<SerializedError | null> {
    const message =
      `Cannot reload "${file}": the in-process runtime runs the manifest's static imports`;
    return Promise.resolve(serializeError(new RuntimeUnsupportedError(message)));
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#inFlight > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const idle = new Promise<void>((resolve) => this.#idle = resolve);
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.#options.drainTimeoutMs ?? 10_000);
      });
      await Promise.race([idle, deadline]);
      clearTimeout(timer);
    }
    this.#deadlines.close();
  }

  /** Failures only: a success is returned as it is, with no refinement to await. */
  #settled(
    result: InvocationResult,
    handler: HandlerRef,
  ): InvocationResult | Promise<InvocationResult> {
    if (result.ok) return result;
    if (result.error.name === "HandlerExitError") {
      const message = `Handler "${handler.name}" ${result.error.message}`;
      return { ...result, error: { ...result.error, message } };
    }
    return refineFailure(result, handler, () => Promise.resolve(true));
  }

  async #awaitWithDeadline(
    outcome: Promise<InvocationResult>,
    invocation: Invocation,
    started: number,
  ): Promise<InvocationResult> {
    this.#inFlight++;
    try {
      const result = await new Promise<InvocationResult>((resolve) => {
        const deadline = new CallDeadline(invocation, started, resolve);
        this.#deadlines.add(deadline, invocation.timeoutMs, started);
        outcome.then((result) => {
          deadline.cancel();
          resolve(result);
        });
      });
      return await this.#settled(result, invocation.handler);
    } finally {
      if (--this.#inFlight === 0) this.#idle?.();
    }
  }

  #key(file: string): string {
    let key = this.#keys.get(file);
    if (key === undefined) {
      key = relative(this.#rootPath, file).split(sep).join("/");
      this.#keys.set(file, key);
    }
    return key;
  }
}

/** Answers a call with `timeout` when its deadline passes first. */
class CallDeadline extends Deadline {
  readonly #invocation: Invocation;
  readonly #started: number;
  readonly #resolve: (result: InvocationResult) => void;

  constructor(
    invocation: Invocation,
    started: number,
    resolve: (result: InvocationResult) => void,
  ) {
    super();
    this.#invocation = invocation;
    this.#started = started;
    this.#resolve = resolve;
  }

  expire(): void {
    const { handler, timeoutMs } = this.#invocation;
    const message = `Handler "${handler.name}" timed out after ${timeoutMs} ms`;
    this.#resolve(failed("timeout", new HandlerTimeoutError(message), [], this.#started));
  }
}

function notInManifest(handler: HandlerRef): HandlerNotFoundError {
  return new HandlerNotFoundError(
    `Handler "${handler.name}" not found: "${handler.file}" is not in the generated manifest`,
  );
}
