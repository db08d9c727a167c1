/**
 * Shared pieces of the runtime tests: the fixture project, handler references, permissions.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { HandlerKind, HandlerRef, Invocation, InvocationInput } from "./contract.ts";
import type { PermissionSet, PermissionsSection } from "../../project/config.ts";

/** The fixture project's root. */
export const PROJECT = fileURLToPath(new URL("./testdata/project", import.meta.url));

/** The defaults of `[permissions]` (DESIGN.md D7). */
export const DEFAULT_PERMISSIONS: PermissionSet = {
  net: true,
  read: ["."],
  write: false,
  env: false,
  run: false,
  ffi: false,
  sys: false,
  import: true,
};

/** `[permissions]` with the given handler overrides. */
export function permissionsWith(
  handlers: Record<string, Partial<PermissionSet>> = {},
): PermissionsSection {
  return { defaults: DEFAULT_PERMISSIONS, handlers };
}

/** A TypeScript handler reference; `file` is relative to `root`. */
export function tsHandler(
  kind: HandlerKind,
  file: string,
  exports: string[],
  options: { name?: string; profile?: string; root?: string } = {},
): HandlerRef {
  const name = options.name ?? exports[0] ?? "default";
  return {
    kind,
    name,
    owner: name,
    language: "typescript",
    file: join(options.root ?? PROJECT, file),
    exports,
    profile: options.profile ?? "default",
  };
}

/** An invocation with a trace id and a generous timeout unless given. */
export function call(handler: HandlerRef, input: InvocationInput, timeoutMs = 10_000): Invocation {
  return { handler, input, traceId: "trace-1", timeoutMs };
}

/** An API input with a body. */
export function apiInput(body: unknown, extra: Record<string, unknown> = {}): InvocationInput {
  return { kind: "api", request: { body, queryParams: {}, headers: {}, ...extra } };
}
