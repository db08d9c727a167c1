/**
 * What `validate` and `list-*` share: find the project from a path argument (or the working
 * directory), parse its schema, and read the sources that diagnostics point into.
 *
 * @module
 */

import { findProject, type ProjectLocation, ProjectNotFoundError } from "../project/mod.ts";
import {
  checkSchema,
  type Diagnostic,
  parseDirectory,
  type ParseDirectoryResult,
} from "../parser/mod.ts";
import type { CliIo } from "./command.ts";
import { formatDiagnostics } from "./_diagnostic_printer.ts";

/** A located and parsed schema. */
export interface LoadedSchema {
  project: ProjectLocation;
  parsed: ParseDirectoryResult;
}

/** Finds the project and parses its schema; on a missing path prints `Error: ...` and returns null.
 *
 * @param path the path argument, if any (default: the working directory)
 * @param io where to write errors, and the working directory
 * @returns the project and parse result, or null when there is no project
 */
export async function loadSchema(
  path: string | undefined,
  io: CliIo,
): Promise<LoadedSchema | null> {
  let project: ProjectLocation;
  try {
    project = await findProject(path ?? ".", { cwd: io.cwd, wholeProject: path === undefined });
  } catch (error) {
    if (!(error instanceof ProjectNotFoundError)) throw error;
    io.stderr(`Error: ${error.message}\n`);
    return null;
  }
  return { project, parsed: await parseDirectory(project.schemaDir) };
}

/** Formats diagnostics with their source lines, paths shown relative to the working directory.
 *
 * @param diagnostics the sorted diagnostics
 * @param io the working directory
 * @returns the text (empty for no diagnostics)
 */
export async function renderDiagnostics(
  diagnostics: readonly Diagnostic[],
  io: CliIo,
): Promise<string> {
  const sources = new Map<string, string>();
  for (const file of new Set(diagnostics.map((d) => d.file))) {
    try {
      sources.set(file, await Deno.readTextFile(file));
    } catch {
      // A missing or unreadable file (the "not found" diagnostics name one) prints no source line.
    }
  }
  return formatDiagnostics(diagnostics, { sources, cwd: io.cwd });
}

/** The parse diagnostics and the validation diagnostics, sorted: the rule every path follows.
 *
 * @param parsed the parse result
 * @returns every diagnostic, sorted by file, line, column and code
 */
export function schemaDiagnostics(parsed: ParseDirectoryResult): Diagnostic[] {
  return checkSchema(parsed);
}
