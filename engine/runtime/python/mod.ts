/**
 * Python handlers through Deno's FFI binding to libpython
 * (docs/design.md#d5-python-handler-contracts and docs/design.md#d8-python-runtime).
 *
 * `createPythonRuntime({ root })` finds libpython (`ROHAS_PYTHON_LIB`, `[runtime.python] library`,
 * else `python3`'s sysconfig), starts a host process (`deno run --allow-ffi`) that opens it with
 * `Deno.dlopen` and runs one asyncio loop on its own Python thread, and returns a
 * {@linkcode HandlerRuntime} for `HandlerRef.language === "python"`.
 *
 * The interpreter lives in its own process so that the server outlives it: a segfault fails the
 * calls in flight and a new host starts; a handler that blocks the asyncio loop past its timeout is
 * named and its host replaced. Replacements in a row (each host dying within 10 s of its start, a
 * blocked loop included) are spaced out so that a handler crashing the host on every call does not
 * start a process per call: the first is immediate, then 250 ms, 500 ms, 1 s ... up to 10 s
 * (`restartBackoff` sets them); during the wait calls fail at once with a `PythonRuntimeError`
 * saying when the host starts again, and a `reload()` (a changed file) starts it at once.
 *
 * A sync handler that times out keeps running on its executor thread (threads cannot be killed); an
 * async one is cancelled. Python code is not confined by Deno permissions: the host may do anything
 * the server's user may.
 *
 * @module
 */

export { createPythonRuntime, PythonRuntime } from "./python_runtime.ts";
export type {
  PythonRestart,
  PythonRuntimeOptions,
  PythonRuntimeSettings,
} from "./python_runtime.ts";
export type { BackoffTimes } from "./_backoff.ts";
export { PythonLibraryNotFoundError, PythonRuntimeError, PythonStartError } from "./errors.ts";
export { locatePython } from "./_locate.ts";
export type { Located, LocateOptions } from "./_locate.ts";
export type { HostStart, LibraryCandidate } from "./_protocol.ts";
