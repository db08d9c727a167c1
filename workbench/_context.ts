/**
 * What every workbench API route is handed, and what the routes of each area share.
 *
 * @module
 */

import type { WorkbenchOptions } from "./handler.ts";
import type { SystemSampler } from "./_system.ts";
import { WorkbenchError } from "./errors.ts";

/** One API request, its path split into decoded segments, and the workbench it reached. */
export interface Ctx {
  request: Request;
  url: URL;
  parts: string[];
  options: WorkbenchOptions;
  sampler: SystemSampler;
}

/** The collaborator a route needs; throws a 501 when the engine did not give it. */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new WorkbenchError(501, `${what} is not available here`);
  return value;
}
