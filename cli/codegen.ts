/**
 * `rohas codegen [path] [--schema schema] [--output src] [--lang ts|python]`: validates the schema,
 * then generates typed code, handler stubs and project files. With `--client`, `--openapi` or
 * `--asyncapi` it writes those instead: a standalone client and the API documents.
 *
 * @module
 */

import { relative, resolve } from "node:path";
import { type CliIo, CliUsageError, type CommandRun } from "./command.ts";
import type { CODEGEN } from "./commands.ts";
import {
  type CodegenLanguage,
  DEFAULT_CLI,
  type FrameworkSource,
  generateProject,
  resolveOutput,
  writeProject,
  type WriteSummary,
} from "../codegen/mod.ts";
import { parseDirectory } from "../parser/mod.ts";
import { findProject, loadConfig, type ProjectLocation, readConfigText } from "../project/mod.ts";
import { parseLanguage } from "./_language.ts";
import { renderDiagnostics, schemaDiagnostics } from "./_schema_loader.ts";
import {
  type ContractOutputs,
  parseClientLanguage,
  runContractOutputs,
} from "./_codegen_contract.ts";
import { RohasError } from "../errors.ts";
import { findOrphanHandlers } from "../engine/mod.ts";

/** Runs `rohas codegen`. */
export const run: CommandRun<typeof CODEGEN> = async ({ values, project }, io) => {
  const language = values.lang === undefined ? null : parseLanguage(values.lang);
  const location = await locate(values.schema, project, io.cwd);
  const outputs = contractOutputs(values);
  if (Object.keys(outputs).length > 0) {
    return await runContractOutputs(io, { project: location, outputs });
  }
  const output = values.output === undefined
    ? { root: location.root, outputDir: "src" }
    : resolveOutput(values.output, io.cwd);
  return await runCodegen(io, {
    root: output.root,
    outputDir: output.outputDir,
    schemaPath: location.schemaDir,
    configRoot: location.root,
    language,
  });
};

/**
 * The project and its schema: `--schema` alone locates both (as before the project argument
 * existed); with a project too, the root is the project's and the schema the one given.
 */
async function locate(
  schema: string | undefined,
  project: string | undefined,
  cwd: string,
): Promise<ProjectLocation> {
  if (schema === undefined || project === undefined) {
    return await findProject(schema ?? project ?? ".", { cwd });
  }
  const root = await findProject(project, { cwd });
  return { ...root, schemaDir: resolve(cwd, schema) };
}

/** The contract options given; a wrong one throws (RohasError: exit 1, CliUsageError: exit 2). */
function contractOutputs(
  values: { client?: string; out?: string; openapi?: string; asyncapi?: string },
): ContractOutputs {
  const outputs: ContractOutputs = {};
  if (values.client !== undefined) {
    const client = parseClientLanguage(values.client);
    if (client === null) {
      throw new RohasError(`Unknown client language "${values.client}": use ts or python`);
    }
    outputs.client = client;
  }
  if (values.out !== undefined) {
    if (values.client === undefined) throw new CliUsageError("--out needs --client");
    outputs.out = values.out;
  }
  if (values.openapi !== undefined) outputs.openapi = values.openapi;
  if (values.asyncapi !== undefined) outputs.asyncapi = values.asyncapi;
  return outputs;
}

/** Options of {@linkcode runCodegen}. */
export interface RunCodegenOptions {
  /** Absolute root the files are written under. */
  root: string;
  /** The output dir relative to `root` (`""` for the root itself). */
  outputDir: string;
  /** Absolute schema directory or file. */
  schemaPath: string;
  /** Where `config/rohas.toml` is looked up. */
  configRoot: string;
  /** The language; null takes it from the config. */
  language: CodegenLanguage | null;
  /** The command the `deno.json` tasks run. Default `deno run -A jsr:@rohas/cli`. */
  cli?: string;
  /** How `deno.json` imports the framework for `main.ts`. Default: the JSR package. */
  framework?: FrameworkSource;
}

/**
 * Parses and validates the schema, prints diagnostics, and generates when there is no error.
 *
 * @param io where to print
 * @param options paths, language and CLI command
 * @returns the exit code
 */
export async function runCodegen(io: CliIo, options: RunCodegenOptions): Promise<number> {
  const { config } = await loadConfig(options.configRoot);
  const language = options.language ?? config.project.language;
  const parsed = await parseDirectory(options.schemaPath);
  const diagnostics = schemaDiagnostics(parsed);
  io.stderr(await renderDiagnostics(diagnostics, io));
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  if (errors > 0) {
    io.stderr(
      `Error: The schema has ${errors} error${errors === 1 ? "" : "s"}: nothing generated\n`,
    );
    return 1;
  }
  const prefix = options.outputDir === "" ? "" : `${options.outputDir}/`;
  const existingFiles = await listFiles(options.root, [
    `${prefix}handlers`,
    `${prefix}middlewares`,
  ]);
  const files = generateProject(parsed.schema, {
    language,
    outputDir: options.outputDir,
    projectName: config.project.name,
    cli: options.cli ?? DEFAULT_CLI,
    existingFiles,
    config: await readConfigText(options.configRoot),
    ...(options.framework ? { framework: options.framework } : {}),
  });
  const summary = await writeProject(files, {
    root: options.root,
    generatedDir: `${prefix}generated`,
  });
  io.stdout(describe(summary, language, relative(io.cwd, options.root) || "."));
  // Handler files live under the project's src/: another output has none of the project's.
  if (options.outputDir === "src" && options.root === options.configRoot) {
    const orphans = await findOrphanHandlers(parsed.schema, { root: options.root, config });
    io.stderr(await renderDiagnostics(orphans, io));
  }
  return 0;
}

function describe(summary: WriteSummary, language: string, where: string): string {
  const lines = [
    `Generated ${language} code in ${where}: ${summary.written.length} written, ` +
    `${summary.unchanged.length} unchanged, ${summary.deleted.length} deleted`,
  ];
  for (const path of summary.deleted) lines.push(`  deleted  ${path}`);
  for (const path of summary.created) lines.push(`  created  ${path}`);
  return lines.join("\n") + "\n";
}

/** Project-relative paths of every file under the given folders. */
async function listFiles(root: string, dirs: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  async function visit(rel: string): Promise<void> {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(`${root}/${rel}`));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      throw error;
    }
    for (const entry of entries) {
      if (entry.isDirectory) await visit(`${rel}/${entry.name}`);
      else found.add(`${rel}/${entry.name}`);
    }
  }
  for (const dir of dirs) await visit(dir);
  return found;
}
