/**
 * `rohas diff <old> [new] [--json]`: the changes between two versions of the schema, each breaking
 * or safe for the project's API callers, WebSocket clients and event consumers and producers.
 * Exit code 1 when a change is breaking, so CI can stop a deploy.
 *
 * @module
 */

import { isAbsolute, relative } from "node:path";
import type { CliIo, CommandRun } from "./command.ts";
import type { DIFF } from "./commands.ts";
import { type ChangePosition, diffSchemas, type SchemaChange } from "../contract/mod.ts";
import { findProject, ProjectNotFoundError } from "../project/mod.ts";
import { type LoadedVersion, loadVersion } from "./_diff_sources.ts";
import { renderDiagnostics } from "./_schema_loader.ts";

/** Runs `rohas diff`. */
export const run: CommandRun<typeof DIFF> = async ({ values, args }, io) => {
  // The parser checked that <old> is there.
  const oldSpec = args.old!;
  const newSpec = args.new ?? ".";
  const here = await schemaDirOf(io.cwd);
  const after = await loadVersion(newSpec, { cwd: io.cwd, schemaDir: here });
  if (!after.ok) return await unreadable(io, newSpec, after);
  const before = await loadVersion(oldSpec, { cwd: io.cwd, schemaDir: after.schemaDir ?? here });
  if (!before.ok) return await unreadable(io, oldSpec, before);
  const changes = diffSchemas(before.parsed, after.parsed);
  io.stdout(values.json ? jsonReport(changes, io.cwd) : textReport(changes, io.cwd));
  return changes.some((c) => c.severity === "breaking") ? 1 : 0;
};

async function schemaDirOf(cwd: string): Promise<string | null> {
  try {
    return (await findProject(".", { cwd, wholeProject: true })).schemaDir;
  } catch (error) {
    if (error instanceof ProjectNotFoundError) return null;
    throw error;
  }
}

async function unreadable(
  io: CliIo,
  spec: string,
  version: Extract<LoadedVersion, { ok: false }>,
): Promise<number> {
  io.stderr(await renderDiagnostics(version.diagnostics, io));
  io.stderr(`Error: Cannot compare "${spec}": ${version.message}\n`);
  return 2;
}

function where(position: ChangePosition | null, cwd: string): string {
  if (position === null) return "";
  const file = isAbsolute(position.file) ? relative(cwd, position.file) : position.file;
  return `${file}:${position.line}:${position.column}`;
}

function textReport(changes: SchemaChange[], cwd: string): string {
  if (changes.length === 0) return "No changes\n";
  const lines: string[] = [];
  const breaking = changes.filter((c) => c.severity === "breaking");
  const safe = changes.filter((c) => c.severity === "safe");
  for (const [title, group] of [["Breaking", breaking], ["Safe", safe]] as const) {
    if (group.length === 0) continue;
    lines.push(`${title} changes (${group.length}):`);
    for (const c of group) {
      const who = c.breaks.length > 0 ? ` (breaks ${c.breaks.join(", ")})` : "";
      const position = where(c.position, cwd);
      lines.push(`  ${position === "" ? "" : `${position}: `}${c.kind}: ${c.message}${who}`);
    }
  }
  lines.push(`${breaking.length} breaking, ${safe.length} safe`);
  return lines.join("\n") + "\n";
}

function jsonReport(changes: SchemaChange[], cwd: string): string {
  const out = {
    breaking: changes.filter((c) => c.severity === "breaking").length,
    safe: changes.filter((c) => c.severity === "safe").length,
    changes: changes.map((c) => ({
      kind: c.kind,
      severity: c.severity,
      breaks: c.breaks,
      message: c.message,
      position: c.position === null ? null : {
        side: c.position.side,
        file: isAbsolute(c.position.file) ? relative(cwd, c.position.file) : c.position.file,
        line: c.position.line,
        column: c.position.column,
      },
    })),
  };
  return JSON.stringify(out, null, 2) + "\n";
}
