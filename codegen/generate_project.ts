/**
 * Pure code generation: a schema in, the list of files out, each with its owner. Nothing here reads
 * or writes the disk; {@linkcode writeProject} applies the result.
 *
 * @module
 */

import type { Schema } from "../parser/mod.ts";
import { type HandlerPlan, planHandlers } from "./_handlers.ts";
import { type FrameworkSource, projectFiles } from "./_project_files.ts";

export type { FrameworkSource } from "./_project_files.ts";
import { pyGeneratedFiles } from "./_python.ts";
import { pyStub } from "./_py_stubs.ts";
import { byText, SchemaIndex } from "./_schema_index.ts";
import { TS_HEADER } from "./_ts_module.ts";
import { type ManifestEntry, tsManifestModule } from "./_ts_manifest.ts";
import { TS_STATE_EXPORTS, tsStateModule } from "./_ts_state.ts";
import { tsStub } from "./_ts_stubs.ts";
import { tsAppModule, tsEntryModule } from "./_ts_entry.ts";
import { type TsFile, tsTypeModules } from "./_ts_types.ts";
import { tsValidatorsModule, validatorExports } from "./validators.ts";
import { CodeWriter } from "./_writer.ts";

/** Who owns a file: `generated` files are rewritten every run, `user` files are created once. */
export type FileOwner = "generated" | "user";

/** One file codegen produces. `path` is relative to the project root, POSIX separators. */
export interface GeneratedFile {
  /** Relative to the project root, POSIX separators. */
  path: string;
  /** The whole text of the file. */
  content: string;
  /** Whether the file is rewritten every run or created once. */
  owner: FileOwner;
}

/** The languages codegen writes. */
export type CodegenLanguage = "typescript" | "python";

/** Options of {@linkcode generateProject}. */
export interface GenerateOptions {
  /** The language to generate; required. */
  language: CodegenLanguage;
  /** The output dir relative to the project root, POSIX; `""` is the root itself. Default `"src"`. */
  outputDir?: string;
  /** The project name for README and pyproject. Default `"app"`. */
  projectName?: string;
  /** The command the `deno.json` tasks run. Default `"deno run -A jsr:@rohas/cli"`. */
  cli?: string;
  /**
   * Project-relative paths of files that already exist. A handler written in the other language, or
   * an old project's `handlers/api/<Api>.ts`, then gets no stub. Default: none.
   */
  existingFiles?: ReadonlySet<string>;
  /**
   * The text of `config/rohas.toml`, embedded in `generated/app.ts` for `main.ts` (environment
   * overrides still apply at run time); null when the project has none. Default null.
   */
  config?: string | null;
  /** How `deno.json` imports the framework for `main.ts`. Default: the JSR package. */
  framework?: FrameworkSource;
}

/** The default `deno.json` task command. */
export const DEFAULT_CLI = "deno run -A jsr:@rohas/cli";

/**
 * Generates every file of a project from its schema: deterministic (sorted, no timestamps, no
 * absolute paths).
 *
 * @param schema a parsed schema (validate it first: codegen trusts the references)
 * @param options language, output dir, project name
 * @returns the files, sorted by path
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { generateProject } from "./mod.ts";
 * import { emptySchema } from "../parser/ast.ts";
 * const files = generateProject(emptySchema(), { language: "typescript" });
 * assert(files.some((f) => f.path === "src/generated/state.ts"));
 * ```
 */
export function generateProject(schema: Schema, options: GenerateOptions): GeneratedFile[] {
  const out = options.outputDir ?? "src";
  const prefix = out === "" ? "" : `${out}/`;
  const existing = options.existingFiles ?? new Set<string>();
  const index = new SchemaIndex(schema);
  const files: GeneratedFile[] = [];
  const generated = (path: string, content: string) =>
    files.push({ path: `${prefix}generated/${path}`, content, owner: "generated" });
  const user = (path: string, content: string) => files.push({ path, content, owner: "user" });
  const plans = planHandlers(schema);
  if (options.language === "typescript") {
    const handlers: ManifestEntry[] = [];
    for (const plan of plans) {
      const path = tsHandlerPath(plan, prefix, existing);
      if (path === null) continue;
      handlers.push({ path, plan });
      if (!existing.has(path)) user(path, tsStub(plan));
    }
    const modules = tsTypeModules(schema, index);
    for (const file of modules) generated(file.path, file.content);
    generated("state.ts", tsStateModule(schema, index));
    generated("validators.ts", tsValidatorsModule(schema, index));
    generated("mod.ts", tsBarrel(modules, valueExports(schema)));
    generated("manifest.ts", tsManifestModule(handlers, prefix));
    const name = options.projectName ?? "app";
    generated("app.ts", tsAppModule(schema, { name, config: options.config ?? null }));
    user("main.ts", tsEntryModule(prefix));
  } else {
    for (const plan of plans) {
      const path = `${prefix}${plan.dir}/${plan.stem}.py`;
      if (!existing.has(path) && !existing.has(path.replace(/\.py$/, ".ts"))) {
        user(path, pyStub(plan));
      }
    }
    for (const file of pyGeneratedFiles(schema, index)) generated(file.path, file.content);
  }
  const project = projectFiles(schema, {
    language: options.language,
    name: options.projectName ?? "app",
    cli: options.cli ?? DEFAULT_CLI,
    outputDir: out,
    ...(options.framework ? { framework: options.framework } : {}),
  });
  for (const file of project) user(file.path, file.content);
  return files.sort((a, b) => byText(a.path, b.path));
}

/** Where a TS handler lives, or null when a Python file implements it instead. */
function tsHandlerPath(plan: HandlerPlan, prefix: string, existing: ReadonlySet<string>) {
  const path = `${prefix}${plan.dir}/${plan.stem}.ts`;
  if (existing.has(path)) return path;
  if (plan.kind === "api") {
    const legacy = `${prefix}${plan.dir}/${plan.api.name}.ts`;
    if (existing.has(legacy)) return legacy;
  }
  if (existing.has(`${prefix}${plan.dir}/${plan.stem}.py`)) return null;
  return path;
}

/**
 * `generated/mod.ts`: state and validators, then every type by name. A name two modules declare
 * (a WebSocket `Chat` and an input `ChatMessage`) is exported from the first module in path order;
 * the other stays importable from its own module.
 */
function tsBarrel(modules: TsFile[], taken: Set<string>): string {
  const w = new CodeWriter("  ").line(TS_HEADER).line();
  w.line('export * from "./state.ts";').line('export * from "./validators.ts";');
  for (const module of [...modules].sort((a, b) => byText(a.path, b.path))) {
    const names = module.exports.filter((name) => !taken.has(name));
    for (const name of names) taken.add(name);
    if (names.length > 0) w.line(`export type { ${names.join(", ")} } from "./${module.path}";`);
  }
  return w.toString();
}

function valueExports(schema: Schema): Set<string> {
  const names = new Set([...TS_STATE_EXPORTS, ...validatorExports(schema)]);
  return names;
}
