/**
 * `rohas codegen [--schema schema] [--output src] [--lang ts|python]`: validates the schema, then
 * generates typed code, handler stubs and project files. With `--client`, `--openapi` or
 * `--asyncapi` it writes those instead: a standalone client and the API documents.
 *
 * @module
 */

import { relative } from "node:path";
import type { CliIo, Command } from "./command.ts";
import {
  type CodegenLanguage,
  DEFAULT_CLI,
  generateProject,
  resolveOutput,
  writeProject,
  type WriteSummary,
} from "../codegen/mod.ts";
import { parseDirectory } from "../parser/mod.ts";
import { findProject, loadConfig } from "../project/mod.ts";
import { RohasError } from "../errors.ts";
import { parseCommandArgs } from "./_args.ts";
import { parseLanguage } from "./_language.ts";
import { renderDiagnostics, schemaDiagnostics } from "./_schema_loader.ts";
import {
  type ContractOutputs,
  parseClientLanguage,
  runContractOutputs,
} from "./_codegen_contract.ts";

const HELP = `Usage: rohas codegen [options]

Validates the schema, then writes typed code under <output>/generated/ (rewritten every run, stale
files deleted), handler and middleware stubs (created once, never overwritten) and project files.

Options:
  -s, --schema <path>   The schema directory or .ro file (default: the project's schema/)
  -o, --output <path>   The output directory (default: <project>/src)
  -l, --lang <lang>     typescript|ts or python|py (default: [project] language of config/rohas.toml)
  --client <lang>       Instead: a standalone client for the project's callers, ts (fetch only:
                        Deno, Node, browsers) or python (pydantic, httpx, websockets), written as
                        <out>/client.ts or <out>/client.py
  --out <dir>           The client's folder (default: <project>/client)
  --openapi <file>      Instead: the OpenAPI 3.1 document of the APIs ("-" prints it)
  --asyncapi <file>     Instead: the AsyncAPI 3.0 document of the events and WebSockets ("-" prints it)
  -h, --help            Show this help

Example:
  rohas codegen --lang python --output src
  rohas codegen --client ts --openapi openapi.json --asyncapi asyncapi.json
`;

/** The `codegen` command. */
export const command: Command = {
  name: "codegen",
  summary: "Generate typed code and handler stubs from the schema",
  help: HELP,
  run,
};

async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(args, {
    command: "codegen",
    options: {
      schema: { type: "string", short: "s" },
      output: { type: "string", short: "o" },
      lang: { type: "string", short: "l" },
      client: { type: "string" },
      out: { type: "string" },
      openapi: { type: "string" },
      asyncapi: { type: "string" },
    },
    maxPositionals: 0,
    io,
  });
  if (parsed === null) return 1;
  const { values } = parsed;
  try {
    const language = values.lang === undefined ? null : parseLanguage(values.lang);
    const project = await findProject(values.schema ?? ".", { cwd: io.cwd });
    const outputs = contractOutputs(values, io);
    if (outputs === null) return 1;
    if (Object.keys(outputs).length > 0) return await runContractOutputs(io, { project, outputs });
    const output = values.output === undefined
      ? { root: project.root, outputDir: "src" }
      : resolveOutput(values.output, io.cwd);
    return await runCodegen(io, {
      root: output.root,
      outputDir: output.outputDir,
      schemaPath: project.schemaDir,
      configRoot: project.root,
      language,
    });
  } catch (error) {
    if (!(error instanceof RohasError)) throw error;
    io.stderr(`Error: ${error.message}\n`);
    return 1;
  }
}

/** The contract options given, or null (after printing why) when one is wrong. */
function contractOutputs(
  values: { client?: string; out?: string; openapi?: string; asyncapi?: string },
  io: CliIo,
): ContractOutputs | null {
  const outputs: ContractOutputs = {};
  if (values.client !== undefined) {
    const client = parseClientLanguage(values.client);
    if (client === null) {
      io.stderr(`Error: Unknown client language "${values.client}": use ts or python\n`);
      return null;
    }
    outputs.client = client;
  }
  if (values.out !== undefined) {
    if (values.client === undefined) {
      io.stderr('Error: --out needs --client: run "rohas codegen --help" for usage\n');
      return null;
    }
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
  });
  const summary = await writeProject(files, {
    root: options.root,
    generatedDir: `${prefix}generated`,
  });
  io.stdout(describe(summary, language, relative(io.cwd, options.root) || "."));
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
