/**
 * The runtime of a project served from its files (`rohas dev`, `rohas start`, `rohas cron run`):
 * TypeScript handlers in permissioned Workers, plus the Python runtime, loaded only when the
 * project has Python handlers (it needs libpython).
 *
 * @module
 */

import type { RohasConfig } from "../project/mod.ts";
import { createWorkerRuntime } from "./runtime/mod.ts";
import type { HandlerRuntime, SerializedError } from "./runtime/contract.ts";
import type { PythonRestart } from "./runtime/python/mod.ts";
import { type AppModel, handlerRefsOf } from "./app_model.ts";
import { createCompositeRuntime } from "./composite_runtime.ts";
import { type BrokenPythonModule, failureOf, PythonModulesError, ServeError } from "./errors.ts";
import { relative } from "node:path";
import type { KvHost, KvResponse } from "../state/mod.ts";

/** A project's runtime; `start()` loads what the project needs up front (libpython). */
export interface ProjectRuntime extends HandlerRuntime {
  /**
   * Starts the Python runtime now when the project has Python handlers.
   *
   * @throws {PythonLibraryNotFoundError} when libpython cannot be loaded (the message lists every
   * path tried), or another error when the interpreter cannot start
   */
  start(): Promise<void>;
}

/**
 * The runtime of a project: TypeScript handlers in permissioned Workers, plus the Python runtime,
 * loaded by `start()` when the model has Python handlers, else on first use.
 *
 * @param root the project root
 * @param config the resolved config
 * @param model the application model
 * @param options told about replaced Workers and Python hosts
 * @returns the composite runtime
 */
export function createProjectRuntime(
  root: string,
  config: RohasConfig,
  model: AppModel,
  options: {
    /** The shared state handlers reach as `state.kv`. Default: none (using it throws). */
    state?: KvHost;
    onWorkerRestart?: (profile: string, message: string) => void;
    onPythonRestart?: (restart: PythonRestart) => void;
    /** Keep idle Workers ready for hot reload (see `WorkerRuntimeOptions.spares`). */
    spares?: boolean;
  } = {},
): ProjectRuntime {
  const answerKv = options.state ? (request: unknown) => options.state!.answer(request) : undefined;
  const typescript = createWorkerRuntime({
    root,
    permissions: config.permissions,
    spares: options.spares ?? false,
    ...(answerKv ? { answerKv } : {}),
    onWorkerRestart: (profile, error) => options.onWorkerRestart?.(profile, error.message),
  });
  // Always there, loaded on first use: a schema reload may add the first Python handler.
  const python = lazyPython(root, config, {
    ...(options.onPythonRestart ? { onRestart: options.onPythonRestart } : {}),
    ...(answerKv ? { answerKv } : {}),
  });
  const composite = createCompositeRuntime({ typescript, python });
  return {
    invoke: (invocation) => composite.invoke(invocation),
    reload: (file) => composite.reload(file),
    renew: (files) => composite.renew(files),
    close: () => composite.close(),
    checkPayloads: (payloads) => composite.checkPayloads?.(payloads),
    start: async () => {
      const files = pythonFiles(model);
      if (files.length === 0) return;
      await python.start();
      await checkPythonModules(python, {
        root,
        files,
        executable: config.runtime.python.executable,
      });
    },
  };
}

/** Starts a project runtime; on failure closes it and throws a {@linkcode ServeError}.
 *
 * @param runtime the runtime
 * @throws {ServeError} with the start error's message (libpython not found lists every path tried)
 */
export async function startRuntime(runtime: ProjectRuntime): Promise<void> {
  try {
    await runtime.start();
  } catch (error) {
    await runtime.close();
    throw new ServeError(failureOf(error));
  }
}

/** The Python handler and middleware files of the model, each once, in schema order. */
function pythonFiles(model: AppModel): string[] {
  const refs = handlerRefsOf(model);
  return [...new Set(refs.filter((r) => r.language === "python").map((r) => r.file))];
}

/**
 * Imports every Python handler module before serving, so a missing package (pydantic) or a broken
 * module stops the start with a message, instead of failing each call later.
 *
 * @throws {PythonModulesError} listing each module that does not import
 */
async function checkPythonModules(
  python: HandlerRuntime,
  project: { root: string; files: string[]; executable: string },
): Promise<void> {
  const broken: BrokenPythonModule[] = [];
  for (const file of project.files) {
    const error = await python.reload(file);
    if (error !== null) broken.push({ file: relative(project.root, file), error });
  }
  if (broken.length > 0) throw new PythonModulesError(broken, project.executable);
}

/**
 * The Python runtime is loaded only when a project has Python handlers (it needs libpython). When
 * it cannot start, calls fail with the start error's message (invoke never rejects).
 */
function lazyPython(
  root: string,
  config: RohasConfig,
  options: {
    onRestart?: (restart: PythonRestart) => void;
    answerKv?: (request: unknown) => Promise<KvResponse>;
  },
): HandlerRuntime & { start(): Promise<void> } {
  let runtime: Promise<HandlerRuntime> | null = null;
  let ready: HandlerRuntime | null = null;
  const get = () =>
    runtime ??= import("./runtime/python/mod.ts").then((m) =>
      m.createPythonRuntime({ root, python: config.runtime.python, ...options })
    ).then((started) => ready = started);
  return {
    start: async () => {
      await get();
    },
    invoke: async (invocation) => {
      // Once started, straight through: its invoke never rejects.
      if (ready !== null) return ready.invoke(invocation);
      const started = performance.now();
      try {
        return await (await get()).invoke(invocation);
      } catch (error) {
        return {
          ok: false,
          reason: "error",
          error: serializeStartError(error),
          effects: [],
          durationMs: performance.now() - started,
        };
      }
    },
    reload: async (file) => {
      // Not loaded yet: every module is imported fresh on the first call anyway.
      if (runtime === null) return null;
      try {
        return await (await get()).reload(file);
      } catch (error) {
        return serializeStartError(error);
      }
    },
    close: async () => {
      // A runtime that failed to start has nothing to close; its error reached every caller.
      const started = await runtime?.catch(() => null);
      await started?.close();
    },
  };
}

function serializeStartError(error: unknown): SerializedError {
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: e.name, message: e.message };
}
