/**
 * Handler resolution by kind (docs/design.md#d4-typescript-handler-contracts and
 * docs/design.md#d5-python-handler-contracts): which files and exports to try for each handler the
 * schema names. Done once at build time; a missing file is a build error, never a request-time one.
 *
 * @module
 */

import type { HandlerKind, HandlerLanguage, HandlerRef } from "./runtime/contract.ts";
// The names alone, not the parser door: an edge resolves handlers without the parser.
import { camelCase as camel, pascalCase as pascal, snakeCase as snake } from "../parser/names.ts";

/** A candidate handler file: project-relative path, language, exports to try. */
export interface Candidate {
  /** The project-relative POSIX path. */
  file: string;
  /** The language the file is run in. */
  language: HandlerLanguage;
  /** The exports to try, in order. */
  exports: string[];
}

/** What to resolve: the handler kind, its schema name and the definition that names it. */
export interface HandlerSpec {
  /** What calls the handler. */
  kind: HandlerKind;
  /** The handler's name as the schema writes it. */
  name: string;
  /** The definition that names it (api, event, cron or ws name). */
  owner: string;
}

function tsCandidates(spec: HandlerSpec): Candidate[] {
  const { kind, name } = spec;
  const ts = (file: string, exports: string[]): Candidate => ({
    file,
    language: "typescript",
    exports,
  });
  const entryExports = [`handle${pascal(name)}`, name, camel(name), "default"];
  switch (kind) {
    case "api": {
      const exports = [`handle${name}`, "default"];
      const files = [`src/handlers/api/${snake(name)}.ts`, `src/handlers/api/${name}.ts`];
      return [...new Set(files)].map((f) => ts(f, exports));
    }
    case "event":
      return [ts(`src/handlers/events/${name}.ts`, entryExports)];
    case "cron":
      return [ts(`src/handlers/cron/${snake(name)}.ts`, [`handle${name}`, "default"])];
    case "ws_connect":
    case "ws_message":
    case "ws_disconnect":
      return [ts(`src/handlers/websockets/${name}.ts`, entryExports)];
    case "middleware":
      return [ts(`src/middlewares/${snake(name)}.ts`, [`${camel(name)}Middleware`, "default"])];
  }
}

function pyCandidates(spec: HandlerSpec): Candidate[] {
  const { kind, name } = spec;
  const py = (file: string, exports: string[]): Candidate => ({
    file,
    language: "python",
    exports,
  });
  switch (kind) {
    case "api":
      return [py(`src/handlers/api/${snake(name)}.py`, [`handle_${snake(name)}`])];
    case "event":
      return [py(`src/handlers/events/${name}.py`, [`handle_${name}`, name])];
    case "cron":
      return [py(`src/handlers/cron/${snake(name)}.py`, [`handle_${snake(name)}`])];
    case "ws_connect":
    case "ws_message":
    case "ws_disconnect":
      return [py(`src/handlers/websockets/${name}.py`, [`handle_${name}`, name])];
    case "middleware":
      return [py(`src/middlewares/${snake(name)}.py`, [`${snake(name)}_middleware`])];
  }
}

/** Every candidate for a handler in the order tried: the project language's files first.
 *
 * @param spec the handler
 * @param language the project language
 * @returns the candidates
 */
export function handlerCandidates(spec: HandlerSpec, language: HandlerLanguage): Candidate[] {
  const ts = tsCandidates(spec);
  const py = pyCandidates(spec);
  return language === "python" ? [...py, ...ts] : [...ts, ...py];
}

/** Options of {@linkcode resolveHandler}. */
export interface ResolveOptions {
  /** Absolute project root, no trailing slash. */
  root: string;
  /** The project's language (`[project] language`), which decides a tie between files. */
  language: HandlerLanguage;
  /** Whether a project-relative file exists. */
  exists: (relativePath: string) => boolean;
  /** Permission profile of a handler name. */
  profileOf: (name: string) => string;
}

/** Resolves a handler to a reference, or returns the files tried when none exists.
 *
 * @param spec the handler
 * @param options root, language, file check
 * @returns the reference or the list of files tried
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
 * import { resolveHandler } from "./_resolve_handler.ts";
 * const result = resolveHandler({ kind: "cron", name: "DailyCleanup", owner: "DailyCleanup" }, {
 *   root: "/srv/app",
 *   language: "typescript",
 *   exists: (file) => file.endsWith(".py"),
 *   profileOf: () => "default",
 * });
 * assert("ref" in result);
 * assertEquals(result.ref.file, "/srv/app/src/handlers/cron/daily_cleanup.py");
 * assertEquals(result.ref.exports, ["handle_daily_cleanup"]);
 * ```
 */
export function resolveHandler(
  spec: HandlerSpec,
  options: ResolveOptions,
): { ref: HandlerRef } | { tried: string[] } {
  const candidates = handlerCandidates(spec, options.language);
  const found = candidates.find((c) => options.exists(c.file));
  if (!found) return { tried: candidates.map((c) => c.file) };
  return {
    ref: {
      kind: spec.kind,
      name: spec.name,
      owner: spec.owner,
      language: found.language,
      file: `${options.root}/${found.file}`,
      exports: found.exports,
      profile: options.profileOf(spec.name),
    },
  };
}
