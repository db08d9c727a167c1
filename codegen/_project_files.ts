/**
 * Project files codegen creates once and never overwrites: README, `.gitignore`, `deno.json`, and
 * for Python `pyproject.toml` and `requirements.txt` (docs/compatibility.md#project-files, fixed to
 * never destroy user edits).
 *
 * @module
 */

import type { Schema } from "../parser/mod.ts";
import packageJson from "../deno.json" with { type: "json" };

/**
 * How a project imports the framework (`@rohas/cli/deploy` in `main.ts`): the JSR package, or a
 * local checkout linked by path (its `deno.json` then resolves the framework's own dependencies),
 * or a URL.
 */
export type FrameworkSource =
  | { kind: "jsr" }
  | { kind: "link"; path: string }
  | { kind: "url"; base: string };

/** What the project files depend on. */
export interface ProjectFileOptions {
  language: "typescript" | "python";
  /** The project's name. */
  name: string;
  /** The command that runs the Rohas CLI, used by the `deno.json` tasks. */
  cli: string;
  /** The output dir relative to the project root, `""` when it is the root. */
  outputDir: string;
  /** Where the framework comes from. Default: the JSR package. */
  framework?: FrameworkSource;
}

/** The flags the embedded entry runs with: no read, write, FFI or subprocess. */
const ENTRY_FLAGS = "--allow-net --allow-env --unstable-kv --unstable-cron";

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
  const typescript = options.language === "typescript";
  const json = {
    tasks: {
      dev: `${options.cli} dev`,
      start: `${options.cli} start`,
      codegen: `${options.cli} codegen`,
      validate: `${options.cli} validate`,
      ...(typescript ? entryTasks(options.name) : {}),
    },
    imports: {
      ...(typescript ? frameworkImports(options.framework ?? { kind: "jsr" }) : {}),
      "@generated/": `./${src}/generated/`,
      "@handlers/": `./${src}/handlers/`,
    },
    ...(options.framework?.kind === "link" && typescript
      ? { links: [options.framework.path] }
      : {}),
    ...(typescript ? { unstable: ["kv", "cron"] } : {}),
    compilerOptions: { strict: true },
    fmt: { lineWidth: 100, exclude: [`${src}/generated/`] },
    lint: { exclude: [`${src}/generated/`] },
  };
  return JSON.stringify(json, null, 2) + "\n";
}

/** `serve` and `compile`: the embedded entry (`main.ts`) under `deno serve` and as a binary. */
function entryTasks(name: string): Record<string, string> {
  const binary = name.replace(/[^A-Za-z0-9._-]/g, "-") || "app";
  return {
    test: "deno test -A tests/",
    serve: `deno serve --parallel ${ENTRY_FLAGS} main.ts`,
    compile: `deno compile ${ENTRY_FLAGS} --output ${binary} main.ts --listen`,
  };
}

function frameworkImports(source: FrameworkSource): Record<string, string> {
  switch (source.kind) {
    case "jsr":
    case "link":
      // A linked checkout answers to its package name and version, so the import stays the same.
      return { "@rohas/cli": `jsr:@rohas/cli@^${packageJson.version}` };
    case "url":
      return {
        "@rohas/cli": `${source.base}/mod.ts`,
        "@rohas/cli/deploy": `${source.base}/deploy/mod.ts`,
        "@rohas/cli/testing": `${source.base}/testkit/mod.ts`,
      };
  }
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
  if (options.language === "typescript") {
    lines.push(
      "- `deno task serve`: serve `main.ts` with `deno serve --parallel` (one isolate per core)",
      "- `deno task compile`: build a single binary from `main.ts`",
      "",
      "`main.ts` is the app in one module, for `deno serve`, Deno Deploy and `deno compile`: the",
      `schema, config and handlers are embedded through \`${src}generated/app.ts\`.`,
    );
  }
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
