/**
 * A runtime that dispatches each call by the handler's language (TypeScript Workers or in-process,
 * Python through FFI), so the engine sees one {@linkcode HandlerRuntime}.
 *
 * @module
 */

import type {
  HandlerLanguage,
  HandlerRef,
  HandlerRuntime,
  Invocation,
  InvocationResult,
  RuntimePayloads,
  SerializedError,
} from "./runtime/contract.ts";

/** Options of {@linkcode createCompositeRuntime}: one runtime per language. */
export interface CompositeRuntimeOptions {
  /** Runs `.ts` handlers. Default none: TypeScript handlers fail with `not_found`. */
  typescript?: HandlerRuntime;
  /** Runs `.py` handlers. Default none: Python handlers fail with `not_found`. */
  python?: HandlerRuntime;
}

class CompositeRuntime implements HandlerRuntime {
  #runtimes: Partial<Record<HandlerLanguage, HandlerRuntime>>;

  constructor(options: CompositeRuntimeOptions) {
    this.#runtimes = { ...options };
  }

  invoke(invocation: Invocation): Promise<InvocationResult> {
    const runtime = this.#runtimes[invocation.handler.language];
    if (runtime) return runtime.invoke(invocation);
    const message =
      `No ${invocation.handler.language} runtime: cannot run "${invocation.handler.name}"`;
    return Promise.resolve({
      ok: false,
      reason: "not_found",
      error: { name: "RuntimeUnsupportedError", message },
      effects: [],
      durationMs: 0,
    });
  }

  endSequence(sequence: string): void {
    for (const runtime of Object.values(this.#runtimes)) runtime.endSequence?.(sequence);
  }

  sequences(handler: HandlerRef): boolean {
    return this.#runtimes[handler.language]?.sequences?.(handler) ?? false;
  }

  async reload(file: string): Promise<SerializedError | null> {
    const language: HandlerLanguage = file.endsWith(".py") ? "python" : "typescript";
    return await this.#runtimes[language]?.reload(file) ?? null;
  }

  async renew(files: readonly string[]): Promise<SerializedError | null> {
    const typescript = this.#runtimes.typescript;
    const ts = files.filter((file) => !file.endsWith(".py"));
    if (ts.length === 0 || typescript === undefined) return null;
    return typescript.renew ? await typescript.renew(ts) : await reloadEach(typescript, ts);
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.#runtimes).map((r) => r.close()));
  }

  checkPayloads(payloads: RuntimePayloads): void {
    for (const runtime of Object.values(this.#runtimes)) runtime.checkPayloads?.(payloads);
  }
}

/** A runtime without `renew` reloads each file instead. */
async function reloadEach(
  runtime: HandlerRuntime,
  files: readonly string[],
): Promise<SerializedError | null> {
  for (const file of files) {
    const error = await runtime.reload(file);
    if (error !== null) return error;
  }
  return null;
}

/** Creates a runtime dispatching by `HandlerRef.language`.
 *
 * @param options the runtime of each language; a language without one fails with `not_found`
 * @returns the runtime
 * @example A language without a runtime fails the call, it does not throw
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { createCompositeRuntime } from "./composite_runtime.ts";
 * const runtime = createCompositeRuntime({});
 * const result = await runtime.invoke({
 *   handler: {
 *     kind: "cron",
 *     name: "Nightly",
 *     owner: "Nightly",
 *     language: "python",
 *     file: "src/handlers/cron/nightly.py",
 *     exports: ["handle_nightly"],
 *     profile: "default",
 *   },
 *   input: { kind: "cron" },
 *   traceId: "t-1",
 *   timeoutMs: 1000,
 * });
 * assert(!result.ok && result.reason === "not_found");
 * await runtime.close();
 * ```
 */
export function createCompositeRuntime(
  options: CompositeRuntimeOptions,
): HandlerRuntime & Required<Pick<HandlerRuntime, "renew">> {
  return new CompositeRuntime(options);
}
