/**
 * Python handlers through Deno's FFI binding to libpython
 * (docs/design.md#d5-python-handler-contracts and docs/design.md#d8-python-runtime).
 *
 * `createPythonRuntime({ root })` finds libpython (`ROHAS_PYTHON_LIB`, `[runtime.python] library`,
 * else `python3`'s sysconfig), starts it in a dedicated Worker with one asyncio loop on its own Python
 * thread, and returns a {@linkcode HandlerRuntime} for `HandlerRef.language === "python"`.
 *
 * One interpreter serves the whole process, so one Python runtime runs at a time per process: a second
 * `createPythonRuntime` waits until the first is closed (never create two at once in one task). A
 * sync handler that times out keeps running on its executor thread (threads cannot be killed); an
 * async one is cancelled.
 *
 * @module
 */

export { createPythonRuntime, PythonRuntime } from "./python_runtime.ts";
export type { PythonRuntimeOptions } from "./python_runtime.ts";
export { PythonLibraryNotFoundError, PythonRuntimeError, PythonStartError } from "./errors.ts";
export { locatePython } from "./_locate.ts";
export type { Located, LocateOptions } from "./_locate.ts";
export type { LibraryCandidate } from "./_protocol.ts";
