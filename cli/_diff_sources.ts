/**
 * Where `rohas diff` reads each version of a schema: a directory (a project or its schema folder)
 * or a git revision of the project's schema folder (`main`, `HEAD~1`, `v1.2.0`).
 *
 * @module
 */

import { relative } from "node:path";
import { findProject, ProjectNotFoundError } from "../project/mod.ts";
import {
  type Diagnostic,
  parseDirectory,
  parseFiles,
  type ParseResult,
  type SourceFile,
} from "../parser/mod.ts";
import { byText } from "../codegen/mod.ts";
import { schemaDiagnostics } from "./_schema_loader.ts";

/** A parsed version, or why it could not be read. */
export type LoadedVersion =
  | { ok: true; parsed: ParseResult; schemaDir: string | null }
  | { ok: false; message: string; diagnostics: Diagnostic[] };

/** Reads a version from a directory when `spec` is one, else from git at revision `spec`.
 *
 * @param spec a path or a git revision
 * @param options the working directory, and the schema folder a revision is read at
 * @returns the parsed version, or why not
 */
export async function loadVersion(
  spec: string,
  options: { cwd: string; schemaDir: string | null },
): Promise<LoadedVersion> {
  if (await isDirectoryOrFile(spec, options.cwd)) return await fromDirectory(spec, options.cwd);
  if (options.schemaDir === null) {
    return failed(`"${spec}" is neither a directory nor a git revision of a schema folder`);
  }
  return await fromGit(spec, options.schemaDir);
}

async function isDirectoryOrFile(spec: string, cwd: string): Promise<boolean> {
  try {
    await Deno.stat(spec.startsWith("/") ? spec : `${cwd}/${spec}`);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

async function fromDirectory(path: string, cwd: string): Promise<LoadedVersion> {
  try {
    const project = await findProject(path, { cwd });
    const parsed = await parseDirectory(project.schemaDir);
    return checked(parsed, project.schemaDir);
  } catch (error) {
    if (!(error instanceof ProjectNotFoundError)) throw error;
    return failed(error.message);
  }
}

async function fromGit(revision: string, schemaDir: string): Promise<LoadedVersion> {
  const top = await git(["rev-parse", "--show-toplevel"], schemaDir);
  if (!top.ok) return failed(`Cannot read "${revision}": ${schemaDir} is not in a git repository`);
  const root = top.out.trim();
  const folder = relative(root, schemaDir) || ".";
  const listed = await git(["ls-tree", "-r", "--name-only", revision, "--", folder], root);
  if (!listed.ok) return failed(`Unknown git revision "${revision}": ${listed.err.trim()}`);
  const names = listed.out.split("\n").filter((n) => n.endsWith(".ro")).sort(byText);
  if (names.length === 0) return failed(`No .ro files in ${folder} at git revision "${revision}"`);
  const files: SourceFile[] = [];
  for (const name of names) {
    const shown = await git(["show", `${revision}:${name}`], root);
    if (!shown.ok) return failed(`Cannot read ${name} at "${revision}": ${shown.err.trim()}`);
    files.push({ path: `${revision}:${name}`, source: shown.out });
  }
  return checked(parseFiles(files), null);
}

function checked(parsed: ParseResult, schemaDir: string | null): LoadedVersion {
  const diagnostics = schemaDiagnostics({ ...parsed, files: [] });
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    return {
      ok: false,
      message: `The schema has ${errors.length} error${errors.length === 1 ? "" : "s"}`,
      diagnostics,
    };
  }
  return { ok: true, parsed, schemaDir };
}

function failed(message: string): LoadedVersion {
  return { ok: false, message, diagnostics: [] };
}

async function git(
  args: string[],
  cwd: string,
): Promise<{ ok: boolean; out: string; err: string }> {
  try {
    const output = await new Deno.Command("git", { args, cwd, stdout: "piped", stderr: "piped" })
      .output();
    const decoder = new TextDecoder();
    return {
      ok: output.success,
      out: decoder.decode(output.stdout),
      err: decoder.decode(output.stderr),
    };
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    return { ok: false, out: "", err: "git is not installed" };
  }
}
