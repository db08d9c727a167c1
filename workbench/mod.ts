/**
 * The workbench (docs/design.md#d12-workbench): a request handler serving the JSON API under
 * `/api/workbench/*` and the single-page app under `/_rohas/`, mounted by the engine when `rohas
 * dev` (unless `--no-workbench`) or `rohas start --workbench`.
 *
 * @module
 */

export type {
  WorkbenchEvents,
  WorkbenchHandler,
  WorkbenchMount,
  WorkbenchOptions,
  WorkbenchRequestInfo,
} from "./handler.ts";
export {
  API_PREFIX,
  APP_PREFIX,
  checkWorkbenchConfig,
  createWorkbenchHandler,
  workbenchMounts,
} from "./handler.ts";
export type { GraphEdge, GraphNode, JsonSchema } from "./_schema_views.ts";
export { WorkbenchConfigError, WorkbenchError } from "./errors.ts";
export { REDACTED, redactSecrets } from "./_redact.ts";
