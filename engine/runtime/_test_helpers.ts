/**
 * Shared pieces of the runtime tests: the fixture project, handler references, permissions.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { HandlerKind, HandlerRef, Invocation, InvocationInput } from "./contract.ts";
import type { PermissionSet, PermissionsSection } from "../../project/mod.ts";
import { type TempDir, tempDir } from "../../testing/mod.ts";

/** The fixture project's root. */
export const PROJECT = fileURLToPath(new URL("./testdata/project", import.meta.url));

/** The defaults of `[permissions]` (docs/design.md#d7-runtime). */
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
// The default is the engine's own (`handler_timeout_ms`): a first call includes the Worker's start
// and module loading, which takes seconds on a loaded 2-core machine running the suite in parallel.
export function call(handler: HandlerRef, input: InvocationInput, timeoutMs = 30_000): Invocation {
  return { handler, input, traceId: "trace-1", timeoutMs };
}

/** An API input with a body. */
export function apiInput(body: unknown, extra: Record<string, unknown> = {}): InvocationInput {
  return { kind: "api", request: { body, queryParams: {}, headers: {}, ...extra } };
}

/** A loopback HTTP server whose responses wait until the test releases them. */
export interface Gate extends AsyncDisposable {
  /** The URL a handler fetches to wait. */
  url: string;
  /** Resolves when the first request has arrived (the handler is now waiting). */
  arrived: Promise<void>;
  /** Lets every waiting (and future) request finish. */
  release(): void;
}

/** Starts a {@linkcode Gate} on 127.0.0.1. */
export function openGate(): Gate {
  const arrived = Promise.withResolvers<void>();
  const released = Promise.withResolvers<void>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async () => {
    arrived.resolve();
    await released.promise;
    return new Response("open");
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    arrived: arrived.promise,
    release: () => released.resolve(),
    async [Symbol.asyncDispose]() {
      released.resolve();
      await server.shutdown();
    },
  };
}

/** Creates a temporary project holding copies of the given fixture files, removed on dispose. */
export async function tempProject(files: string[]): Promise<TempDir> {
  const dir = await tempDir({ prefix: "rohas_runtime_" });
  for (const file of files) await dir.write(file, await Deno.readTextFile(join(PROJECT, file)));
  return dir;
}
