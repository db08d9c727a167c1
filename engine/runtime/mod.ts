/**
 * Handler runtimes: TypeScript handlers in permissioned Workers ({@linkcode createWorkerRuntime})
 * or in the engine's own isolate from the generated manifest ({@linkcode createInProcessRuntime}),
 * behind the {@linkcode HandlerRuntime} contract.
 *
 * @module
 */

export type {
  ConnectionInfo,
  Effect,
  EventInput,
  HandlerKind,
  HandlerLanguage,
  HandlerOutput,
  HandlerRef,
  HandlerRuntime,
  Invocation,
  InvocationInput,
  InvocationResult,
  LogLevel,
  MiddlewareContext,
  SerializedError,
} from "./contract.ts";
export { createWorkerRuntime, type WorkerRuntimeOptions } from "./worker_runtime.ts";
export {
  createInProcessRuntime,
  type HandlerManifest,
  type InProcessRuntimeOptions,
} from "./in_process_runtime.ts";
export {
  HandlerLoadError,
  HandlerNotFoundError,
  HandlerPermissionError,
  HandlerTimeoutError,
  RuntimeClosedError,
  RuntimeUnsupportedError,
  WorkerRestartedError,
} from "./errors.ts";
