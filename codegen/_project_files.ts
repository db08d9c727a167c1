/**
 * Project files codegen creates once and never overwrites: README, `.gitignore`, `deno.json`, and
 * for Python `pyproject.toml` and `requirements.txt` (docs/compatibility.md#project-files, fixed to
 * never destroy user edits).
 *
 * @module
 */

import type { Schema } from "../parser/mod.ts";

/** What the project files depend on. */
export interface ProjectFileOptions {
  language: "typescript" | "python";
  /** The project's name. */
  name: string;
  /** The command that runs the Rohas CLI, used by the `deno.json` tasks. */
  cli: string;
  /** The output dir relative to the project root, `""` when it is the root. */
  outputDir: string;
}

/** The project files, paths relative to the project root.
 *
 * @param schema the parsed schema, listed in the README
 * @param options name, language and CLI command
 * @returns path and content of each file
 */
export function projectFiles(
  schema: Schema,
  options: ProjectFileOptions,
): { path: string; content: string }[] {
  const files = [
    { path: "README.md", content: readme(schema, options) },
    { path: ".gitignore", content: GITIGNORE },
    { path: "deno.json", content: denoJson(options) },
  ];
  if (options.language === "python") {
    files.push({ path: "pyproject.toml", content: pyproject(options.name) });
    files.push({ path: "requirements.txt", content: "pydantic>=2\n" });
  }
  return files;
}

function denoJson(options: ProjectFileOptions): string {
  const src = options.outputDir === "" ? "." : options.outputDir;
  const json = {
    tasks: {
      dev: `${options.cli} dev`,
      start: `${options.cli} start`,
      codegen: `${options.cli} codegen`,
      validate: `${options.cli} validate`,
    },
    imports: {
      "@generated/": `./${src}/generated/`,
      "@handlers/": `./${src}/handlers/`,
    },
    compilerOptions: { strict: true },
    fmt: { lineWidth: 100, exclude: [`${src}/generated/`] },
    lint: { exclude: [`${src}/generated/`] },
  };
  return JSON.stringify(json, null, 2) + "\n";
}

const GITIGNORE = `# Rohas
.rohas/

# Python
__pycache__/
*.pyc
.venv/
.mypy_cache/

# Environment and editors
.env
.env.*
.DS_Store
.idea/
.vscode/
*.log
`;

function readme(schema: Schema, options: ProjectFileOptions): string {
  const src = options.outputDir === "" ? "" : `${options.outputDir}/`;
  const ext = options.language === "python" ? "py" : "ts";
  const lines = [
    `# ${options.name}`,
    "",
    "A Rohas project: an event-driven backend generated from the schema in `schema/`.",
    "",
    "## Structure",
    "",
    "```",
    "schema/               .ro schema files (models, inputs, APIs, events, crons, WebSockets)",
    "config/rohas.toml     configuration",
    `${(src + "generated/").padEnd(22)}generated code, rewritten by \`deno task codegen\``,
    `${(src + "handlers/").padEnd(22)}your handlers (*.${ext}), created once, never overwritten`,
    `${(src + "middlewares/").padEnd(22)}your middlewares`,
    "```",
    "",
    "## Commands",
    "",
    "- `deno task dev`: run the server with hot reload and the workbench at `/_rohas/`",
    "- `deno task codegen`: regenerate the code after a schema change",
    "- `deno task validate`: check the schema",
    "- `deno task start`: run in production",
  ];
  section(lines, "APIs", schema.apis.map((a) => `\`${a.method} ${a.path}\` - ${a.name}`));
  section(
    lines,
    "Events",
    schema.events.map((e) => `\`${e.name}\` - Payload: ${e.payload || "none"}`),
  );
  section(lines, "Cron jobs", schema.crons.map((c) => `\`${c.name}\` - Schedule: ${c.schedule}`));
  section(lines, "WebSockets", schema.websockets.map((w) => `\`${w.path}\` - ${w.name}`));
  return lines.join("\n") + "\n";
}

function section(lines: string[], title: string, items: string[]): void {
  if (items.length === 0) return;
  lines.push("", `## ${title}`, "", ...items.map((item) => `- ${item}`));
}

function pyproject(name: string): string {
  return `[project]
name = ${JSON.stringify(name)}
version = "0.1.0"
requires-python = ">=3.9"
dependencies = ["pydantic>=2"]

[project.optional-dependencies]
dev = ["mypy", "pytest"]

[tool.mypy]
strict = true
mypy_path = "src"
`;
}
