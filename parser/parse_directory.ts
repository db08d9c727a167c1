/**
 * Loading a schema from disk: every `*.ro` file below a directory, in sorted path order.
 *
 * @module
 */

import { emptySchema, type NodeLocation } from "./ast.ts";
import { PARSE_CODES } from "./codes.ts";
import type { Diagnostic } from "./diagnostic.ts";
import { parseFiles, type ParseResult, type SourceFile } from "./parse.ts";

/** The outcome of {@linkcode parseDirectory}: a parse result plus the files read, in parse order. */
export interface ParseDirectoryResult extends ParseResult {
  /** The paths of the files parsed, as diagnostics carry them. */
  files: string[];
}

/** Parses every `*.ro` file below a directory (recursively, sorted by path), or one file when the
 * path is a file. Never throws: a missing path, a directory without `.ro` files or an unreadable
 * file becomes a diagnostic.
 *
 * File paths (in `files`, diagnostics and spans) are the given path joined with `/` to each file's
 * path relative to it: `parseDirectory("schema")` reports `schema/api/user.ro`. They are sorted by
 * that relative path (code-unit order), so the result does not depend on the file system's order.
 * Symbolic links to files are followed; symbolic links to directories are not (no cycles).
 *
 * @param path a directory (or a single `.ro` file)
 * @returns the merged schema, diagnostics, locations and the files read
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { parseDirectory } from "./parse_directory.ts";
 * const result = await parseDirectory("does/not/exist");
 * assertEquals(result.diagnostics[0]?.code, "schema-path-not-found");
 * ```
 */
export async function parseDirectory(path: string): Promise<ParseDirectoryResult> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      return failure(path, PARSE_CODES.readError, ioMessage(path, error));
    }
    return failure(path, PARSE_CODES.schemaPathNotFound, `Schema path not found: ${path}`);
  }
  const readErrors: Diagnostic[] = [];
  const paths = info.isFile ? [path] : await listSchemaFiles(path, readErrors);
  if (paths.length === 0 && readErrors.length === 0) {
    return failure(path, PARSE_CODES.noSchemaFiles, `No .ro files found in ${path}`);
  }
  const sources: SourceFile[] = [];
  for (const file of paths) {
    try {
      sources.push({ path: file, source: await Deno.readTextFile(file) });
    } catch (error) {
      readErrors.push(fileDiagnostic(file, PARSE_CODES.readError, ioMessage(file, error)));
    }
  }
  const result = parseFiles(sources);
  return {
    ...result,
    diagnostics: [...readErrors, ...result.diagnostics],
    files: sources.map((s) => s.path),
  };
}

/** The `.ro` files below a directory, sorted by their path relative to it. */
async function listSchemaFiles(dir: string, errors: Diagnostic[]): Promise<string[]> {
  const relative: string[] = [];
  const pending: string[] = [""];
  for (let sub = pending.pop(); sub !== undefined; sub = pending.pop()) {
    const absolute = sub === "" ? dir : join(dir, sub);
    try {
      for await (const entry of Deno.readDir(absolute)) {
        const child = sub === "" ? entry.name : `${sub}/${entry.name}`;
        if (entry.isDirectory) pending.push(child);
        else if (entry.name.endsWith(".ro") && await isFile(join(dir, child), entry)) {
          relative.push(child);
        }
      }
    } catch (error) {
      errors.push(fileDiagnostic(absolute, PARSE_CODES.readError, ioMessage(absolute, error)));
    }
  }
  relative.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return relative.map((r) => join(dir, r));
}

async function isFile(path: string, entry: Deno.DirEntry): Promise<boolean> {
  if (entry.isFile) return true;
  if (!entry.isSymlink) return false;
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false; // a dangling link is not a schema file
  }
}

function join(dir: string, relative: string): string {
  return dir.endsWith("/") ? `${dir}${relative}` : `${dir}/${relative}`;
}

function ioMessage(path: string, error: unknown): string {
  const detail = error instanceof Error ? error.message : String(error);
  return `IO error: Cannot read "${path}": ${detail}`;
}

function failure(path: string, code: string, message: string): ParseDirectoryResult {
  return {
    schema: emptySchema(),
    diagnostics: [fileDiagnostic(path, code, message)],
    locations: new WeakMap<object, NodeLocation>(),
    files: [],
  };
}

function fileDiagnostic(file: string, code: string, message: string): Diagnostic {
  return { code, severity: "error", message, file, line: 1, column: 1, endLine: 1, endColumn: 1 };
}
