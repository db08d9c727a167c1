/**
 * Handler runtimes: TypeScript handlers in permissioned Workers ({@linkcode createWorkerRuntime})
 * or in the engine's own isolate from the generated manifest ({@linkcode createInProcessRuntime}),
 * behind the {@linkcode HandlerRuntime} contract.
 *
 * How the Worker runtime behaves (docs/design.md#d4-typescript-handler-contracts and
 * docs/design.md#d7-runtime):
 * - Long-lived Workers per permission profile (`[permissions]` defaults plus one profile per distinct
 *   `[permissions.handlers.<name>]` override set; profiles with equal permissions share Workers),
 *   `poolSize` Workers each (default 2), calls sent to the least loaded one. A profile's `read`
 *   always includes `<root>/src`, since a Worker must read a handler's source to import it.
 * - Every call has a deadline. On expiry the call resolves `{ ok: false, reason: "timeout" }` and
 *   its Worker is pinged: a Worker that does not answer within `stuckAfterMs` (a handler stuck in
 *   synchronous code) is terminated and replaced, its other calls failing with
 *   `WorkerRestartedError`; a Worker whose handler merely awaits something slow keeps serving.
 * - A timed-out `event` call is stopped before its failure is reported (the bus retries it): its
 *   Worker is terminated and replaced, its other started calls fail with `WorkerRestartedError`
 *   and those not started run elsewhere, so a retry never runs beside the attempt it replaces.
 * - A Worker that dies (an unhandled rejection, an uncaught error) is replaced; the engine never
 *   dies with it. One that ends by itself (`Deno.exit()` or `close()` in handler code) is detected
 *   at once through a shared flag its unload sets: its calls fail with `WorkerExitedError` naming
 *   the handlers it ran, and it is replaced.
 * - `checkPayloads()` (from the engine, at start and on each schema swap) makes
 *   `state.triggerEvent` / `state.setPayload` throw `InvalidEventPayloadError` at the call when a
 *   payload does not match its event's type: Workers check with the project's generated
 *   `src/generated/validators.ts` (none yet: nothing is checked there, the bus still is), the
 *   in-process runtime with the engine's compiled validators.
 * - The in-process runtime cannot stop code running in its own isolate: a timed-out call is
 *   answered `timeout` and what it asks afterwards (triggers, sends) is dropped, but its own side
 *   effects (files, fetches) still happen; a handler that may time out with side effects belongs
 *   in a Worker. Where handlers run in-process beside the server (edges), {@linkcode guardProcessExit}
 *   turns `Deno.exit()` into a `HandlerExitError` thrown into the calling handler.
 * - `reload(file)` re-imports the module as `file?v=<n>` in every Worker that loaded it; calls in
 *   flight finish on the old module; a load error (a syntax error names `file:line:col`) is returned
 *   and the old module keeps serving. Only the edited module is re-imported, not its imports.
 * - A denied permission comes back as `reason: "permission"` naming the config key to change; a
 *   missing file or export as `reason: "not_found"` naming what was tried.
 * - The wire (`protocol.ts`): messages collected in one event-loop turn travel as one `postMessage`
 *   (flushed with `setImmediate`), a handler reference crosses once per Worker, and a JSON result
 *   crosses as its text: `HandlerOutput.json` can be written as the response body as is, and
 *   `value` is parsed only when read.
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
  RuntimePayloads,
  SerializedError,
} from "./contract.ts";
export { createWorkerRuntime, type WorkerRuntimeOptions } from "./worker_runtime.ts";
export { type ResolvedProfile, resolveProfile, type WorkerPermissions } from "./_profiles.ts";
export {
  createInProcessRuntime,
  type HandlerManifest,
  type InProcessRuntimeOptions,
} from "./in_process_runtime.ts";
export { guardProcessExit } from "./_exit_guard.ts";
export {
  cancelKey,
  MAX_DELAY_MS,
  MAX_EVENT_KEY_LENGTH,
  type TriggerOptions,
  type TriggerTiming,
  triggerTiming,
} from "./trigger_options.ts";
export {
  BroadcastTargetError,
  HandlerExitError,
  HandlerLoadError,
  HandlerNotFoundError,
  HandlerPermissionError,
  HandlerTimeoutError,
  InvalidTriggerOptionsError,
  missingBroadcastTarget,
  RuntimeClosedError,
  RuntimeUnsupportedError,
  WorkerExitedError,
  WorkerRestartedError,
} from "./errors.ts";
