/**
 * What `rohas codegen --client ts|python --openapi FILE --asyncapi FILE` writes: the contract
 * outputs of a valid schema, instead of the project's own generated code.
 *
 * @module
 */

import { dirname, relative, resolve } from "node:path";
import type { CliIo } from "./command.ts";
import { parseDirectory } from "../parser/mod.ts";
import { loadConfig, type ProjectLocation } from "../project/mod.ts";
import {
  documentText,
  projectAsyncApi,
  projectOpenApi,
  pyClient,
  tsClient,
} from "../contract/mod.ts";
import { renderDiagnostics, schemaDiagnostics } from "./_schema_loader.ts";

/** The contract outputs asked for; at least one is set. */
export interface ContractOutputs {
  /** `ts` or `python`. */
  client?: "ts" | "python";
  /** The client's folder (default `<project>/client`). */
  out?: string;
  /** Where the OpenAPI document goes; `-` prints it. */
  openapi?: string;
  /** Where the AsyncAPI document goes; `-` prints it. */
  asyncapi?: string;
}

/** Reads `--client`: `ts`/`typescript` or `python`/`py`.
 *
 * @param value the option's value
 * @returns the client language, or null when unknown
 */
export function parseClientLanguage(value: string): "ts" | "python" | null {
  const v = value.toLowerCase();
  if (v === "ts" || v === "typescript") return "ts";
  if (v === "py" || v === "python") return "python";
  return null;
}

/** Validates the schema, then writes the asked-for client and documents.
 *
 * @param io where to print, and the directory relative paths resolve against
 * @param request the project and the outputs
 * @returns the exit code
 */
export async function runContractOutputs(
  io: CliIo,
  request: { project: ProjectLocation; outputs: ContractOutputs },
): Promise<number> {
  const { project, outputs } = request;
  const parsed = await parseDirectory(project.schemaDir);
  const diagnostics = schemaDiagnostics(parsed);
  io.stderr(await renderDiagnostics(diagnostics, io));
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  if (errors > 0) {
    io.stderr(`Error: The schema has ${errors} error${errors === 1 ? "" : "s"}: nothing written\n`);
    return 1;
  }
  const { config } = await loadConfig(project.root);
  const title = { title: config.project.name };
  const writes: [string, string][] = [];
  if (outputs.client !== undefined) {
    const dir = resolve(io.cwd, outputs.out ?? `${project.root}/client`);
    writes.push(
      outputs.client === "ts"
        ? [`${dir}/client.ts`, tsClient(parsed.schema, title)]
        : [`${dir}/client.py`, pyClient(parsed.schema, title)],
    );
  }
  if (outputs.openapi !== undefined) {
    writes.push([outputs.openapi, documentText(projectOpenApi(parsed.schema, config))]);
  }
  if (outputs.asyncapi !== undefined) {
    writes.push([outputs.asyncapi, documentText(projectAsyncApi(parsed.schema, config))]);
  }
  for (const [path, text] of writes) await write(io, path, text);
  return 0;
}

async function write(io: CliIo, path: string, text: string): Promise<void> {
  if (path === "-") {
    io.stdout(text);
    return;
  }
  const file = resolve(io.cwd, path);
  await Deno.mkdir(dirname(file), { recursive: true });
  await Deno.writeTextFile(file, text);
  io.stderr(`Wrote ${relative(io.cwd, file) || file}\n`);
}
