/**
 * From files to a model: parse the schema directory, validate it, optionally run codegen, compile
 * the validators and build the application model. Used at start-up and by hot reload; it never
 * prints and never throws for a bad schema (it returns the diagnostics).
 *
 * @module
 */

import { relative } from "node:path";
import { checkSchema, type Diagnostic, parseDirectory, type Schema } from "../parser/mod.ts";
import { readConfigText, type RohasConfig } from "../project/mod.ts";
import { findOrphanHandlers } from "./orphan_handlers.ts";
import { compileValidators, generateProject, writeProject } from "../codegen/mod.ts";
import { type AppModel, buildAppModel } from "./app_model.ts";
import { buildApp } from "./build.ts";
import type { ValidatorTable } from "./parts.ts";
import { EngineError, type PrepareFailure } from "./errors.ts";
import { unenforcedFlowControls } from "./_flow_support.ts";

/** Options of {@linkcode prepareApp}. */
export interface PrepareOptions {
  /** The project root (absolute). */
  root: string;
  /** The schema directory or file. */
  schemaDir: string;
  /** The resolved config (project name, language, permissions). */
  config: RohasConfig;
  /** Run codegen (generated files and missing stubs under `src/`) before building. Default false. */
  codegen?: boolean;
  /**
   * Whether a project-relative handler file exists (an embedded manifest's modules). Default: the
   * file system is asked.
   */
  exists?: (relativePath: string) => boolean;
}

/** A successful preparation. */
export interface PreparedApp {
  /** Always true: tells a preparation from a {@linkcode PrepareFailure}. */
  ok: true;
  /** The parsed, validated schema. */
  schema: Schema;
  /** The application model built from it. */
  model: AppModel;
  /** The request and message validators compiled from it. */
  validators: ValidatorTable;
  /** Warnings from validation. */
  warnings: Diagnostic[];
  /** Project-relative files codegen wrote or created. */
  written: string[];
}

export type { PrepareFailure };

/** Parses, validates, generates and builds.
 *
 * @param options root, schema directory, config, codegen switch
 * @returns the model and validators, or what went wrong
 */
export async function prepareApp(options: PrepareOptions): Promise<PreparedApp | PrepareFailure> {
  const parsed = await parseDirectory(options.schemaDir);
  const all = checkSchema(parsed);
  const errors = all.filter((d) => d.severity === "error");
  if (errors.length === 0) errors.push(...unenforcedFlowControls(parsed.schema, parsed.locations));
  if (errors.length > 0) {
    return { ok: false, kind: "diagnostics", diagnostics: errors, sources: await sources(errors) };
  }
  try {
    return await build(parsed.schema, options, all.filter((d) => d.severity === "warning"));
  } catch (error) {
    const cause = error instanceof Error
      ? error
      : new EngineError(`Cannot prepare the project: ${String(error)}`, { cause: error });
    return { ok: false, kind: "error", error: cause };
  }
}

async function build(
  schema: Schema,
  options: PrepareOptions,
  warnings: Diagnostic[],
): Promise<PreparedApp> {
  const written = options.codegen ? await runCodegen(schema, options) : [];
  const model = buildAppModel(schema, options.config, {
    root: options.root,
    ...(options.exists ? { exists: options.exists } : {}),
  });
  buildApp(model); // Route conflicts are reported now, not on the first request.
  warnings.push(
    ...await findOrphanHandlers(schema, { root: options.root, config: options.config }),
  );
  return { ok: true, schema, model, validators: compileValidators(schema), warnings, written };
}

async function runCodegen(schema: Schema, options: PrepareOptions): Promise<string[]> {
  const language = options.config.project.language;
  const existing = await listFiles(options.root, "src");
  const files = generateProject(schema, {
    language,
    projectName: options.config.project.name,
    existingFiles: existing,
    config: await readConfigText(options.root),
  }).filter((f) => f.path.startsWith("src/"));
  const summary = await writeProject(files, { root: options.root });
  return [...summary.written, ...summary.created].sort();
}

async function listFiles(root: string, dir: string): Promise<Set<string>> {
  const out = new Set<string>();
  async function walk(path: string): Promise<void> {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(path));
    } catch {
      return;
    }
    for (const e of entries) {
      const full = `${path}/${e.name}`;
      if (e.isDirectory) await walk(full);
      else out.add(relative(root, full).split("\\").join("/"));
    }
  }
  await walk(`${root}/${dir}`);
  return out;
}

async function sources(diagnostics: Diagnostic[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const file of new Set(diagnostics.map((d) => d.file))) {
    try {
      out.set(file, await Deno.readTextFile(file));
    } catch {
      // A diagnostic about an unreadable file: no source line to show.
    }
  }
  return out;
}
