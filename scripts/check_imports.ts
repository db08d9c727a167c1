/**
 * Checks the import graph against the folder rules of docs/design.md#folders-with-doors:
 *
 * - **Doors.** A folder with a `mod.ts` is a module; a file outside it imports it only through
 *   that `mod.ts`. A nested module belongs to its parent: its files may import the parent's files,
 *   and a module's own tests (`x_test.ts` inside it) import what they test. Tests under `tests/`
 *   and the benchmarks go through doors too.
 * - **Private files.** A `_file.ts` in a folder without a door is imported only from its own
 *   top-level folder (so `tests/engine/_server.ts` serves every test under `tests/`, but no
 *   benchmark reaches into a test helper, and no test into `bench/`); one at the root serves
 *   every folder.
 * - **No cycles.** The top-level folders (`parser/`, `engine/`, `telemetry/`, ...; each file at
 *   the root on its own) import each other without a cycle, and so do the nested modules of one
 *   folder (a nested module's imports of its parent do not count: it is part of the parent).
 *   Type-only imports count. Test code (`*_test.ts`, `_test_*.ts`, everything under `tests/`)
 *   is left out of the cycle check: nothing imports it.
 *
 * - **Side doors.** A few files of a module, listed in {@linkcode SIDE_DOORS} with their reason,
 *   may be imported directly from outside it: they import nothing heavy, so the engine reaches the
 *   parser's names or the config's shape without loading the whole module (an edge process loads
 *   no npm package, engine/edge/edge_imports_test.ts).
 *
 * The graph comes from `deno info --json` (static, dynamic and type-only imports). Exceptions are
 * listed in {@linkcode EXCEPTIONS}, each with its reason.
 *
 *   deno run --allow-read --allow-write --allow-run scripts/check_imports.ts [root]
 *
 * @module
 */

import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** A rule the import graph breaks. */
export type ImportProblem =
  | { kind: "door"; file: string; line: number; imports: string; door: string }
  | { kind: "private"; file: string; line: number; imports: string }
  | { kind: "cycle"; level: "folder" | "module"; cycle: string[]; via: string[] }
  | { kind: "stale-exception"; from: string; to: string }
  | { kind: "stale-side-door"; file: string };

/** An import the rules would refuse, allowed for the reason given. */
export interface ImportException {
  /** The importing file, relative to the root. */
  from: string;
  /** The imported file, relative to the root. */
  to: string;
  /** Why this import cannot go through the door. */
  why: string;
}

/** A file of a module that files outside it may import directly. */
export interface SideDoor {
  /** The file, relative to the root. */
  file: string;
  /** Why it is imported without the module's door. */
  why: string;
}

/** Options of {@linkcode checkImports}. */
export interface CheckImportsOptions {
  /** Allowed violations. Default: {@linkcode EXCEPTIONS}. */
  exceptions?: readonly ImportException[];
  /** Files importable past their module's door. Default: {@linkcode SIDE_DOORS}. */
  sideDoors?: readonly SideDoor[];
  /**
   * Paths relative to the root (folders end with `/`) whose files are not checked: user projects,
   * generated and fixture code. Default: {@linkcode DEFAULT_SKIPPED}.
   */
  skip?: readonly string[];
}

/** What the check skips by default. */
export const DEFAULT_SKIPPED: readonly string[] = [
  ".git/",
  "node_modules/",
  ".rohas/",
  ".brokers/",
  ".services/",
  "examples/",
  "testdata/",
  "workbench/dist/",
  "tests/fixtures/",
  "tests/golden/",
  "bench/results/",
];

/** The imports that may pass a door, and why. */
export const EXCEPTIONS: readonly ImportException[] = [
  {
    from: "bench/_engine_events.ts",
    to: "engine/event_wiring.ts",
    why: "measures the engine's own event wiring without an HTTP server in front, as the flow " +
      "conformance suite drives it; the wiring is not public API",
  },
  {
    from: "engine/runtime/_call_handler.ts",
    to: "telemetry/iso_time.ts",
    why: "runs in every handler Worker, whose start-up must not load the whole telemetry door " +
      "(recorder, OpenTelemetry, stores) for one date formatter",
  },
  {
    from: "tests/parser/fuzz_test.ts",
    to: "parser/_scanner.ts",
    why:
      "fuzzes the private scanner itself: it must never throw on any input, whatever the parser " +
      "above it does with the tokens",
  },
  {
    from: "tests/cli/help_test.ts",
    to: "cli/_args.ts",
    why: "checks every command's options against the parser's own table; cli/ has no door " +
      "other than main.ts, which runs commands",
  },
  {
    from: "tests/adapters/_groups.ts",
    to: "adapters/_support/mod.ts",
    why: "asks each broker for a group by the very name the adapters give it (subjectToken); " +
      "the naming stays out of the adapters' door so that it is not published",
  },
  {
    from: "contract/_channels.ts",
    to: "adapters/_support/codec.ts",
    why: "names the broker-side channels by the very encoding the adapters use; the encoders " +
      "stay out of the adapters' door so that they are not published",
  },
];

/** Why each light file is reached past its door: what loading the door would cost its importers. */
const LIGHT = "imports no npm package and none of its module's heavy parts; an edge process " +
  "imports it without loading the whole door (engine/edge/edge_imports_test.ts)";

/** The files outside importers may reach past their module's door, and why. */
export const SIDE_DOORS: readonly SideDoor[] = [
  { file: "parser/names.ts", why: `the schema's naming rules (camel, pascal, snake); ${LIGHT}` },
  { file: "parser/ast.ts", why: `the schema's types, no code; ${LIGHT}` },
  { file: "parser/diagnostic.ts", why: `diagnostics with positions; ${LIGHT}` },
  { file: "codegen/validators.ts", why: `the validator compiler the engine runs; ${LIGHT}` },
  { file: "project/config.ts", why: `the config's shape and its value lists; ${LIGHT}` },
];

/**
 * Checks every `.ts` file under `root` and returns what breaks the rules, doors and private files
 * first (in file order), then cycles.
 *
 * @param root the repository root
 * @param options exceptions and skipped paths
 * @returns the problems, empty when the graph follows the rules
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { checkImports } from "./check_imports.ts";
 *
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/store`);
 * await Deno.writeTextFile(`${root}/store/mod.ts`, 'export { x } from "./_x.ts";\n');
 * await Deno.writeTextFile(`${root}/store/_x.ts`, "export const x = 1;\n");
 * await Deno.writeTextFile(`${root}/app.ts`, 'import { x } from "./store/_x.ts";\nx;\n');
 * const problems = await checkImports(root, { exceptions: [], sideDoors: [] });
 * assertEquals(problems, [
 *   { kind: "door", file: "app.ts", line: 1, imports: "store/_x.ts", door: "store/mod.ts" },
 * ]);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function checkImports(
  root: string,
  options: CheckImportsOptions = {},
): Promise<ImportProblem[]> {
  const base = resolve(root);
  const files = await sourceFiles(base, options.skip ?? DEFAULT_SKIPPED);
  const graph = await importGraph(base, files);
  const doors = new Set(files.filter((f) => f === "mod.ts" || f.endsWith("/mod.ts")));
  const exceptions = options.exceptions ?? EXCEPTIONS;
  const allowed = new Set(exceptions.map((e) => `${e.from} ${e.to}`));
  const sideDoors = new Set((options.sideDoors ?? SIDE_DOORS).map((d) => d.file));
  const problems: ImportProblem[] = [];
  for (const edge of graph) {
    if (allowed.has(`${edge.from} ${edge.to}`)) continue;
    if (sideDoors.has(edge.to) && !isPrivate(edge.to)) continue;
    const problem = boundaryProblem(edge, doors);
    if (problem) problems.push(problem);
  }
  // An exception no import needs any more goes, so that the list stays the list of what is left.
  const imports = new Set(graph.map((e) => `${e.from} ${e.to}`));
  for (const { from, to } of exceptions) {
    if (!imports.has(`${from} ${to}`)) problems.push({ kind: "stale-exception", from, to });
  }
  // A side door nobody outside its module uses is no door.
  for (const file of sideDoors) {
    const module = moduleOf(file, doors);
    const used = graph.some((e) => e.to === file && (module === null || !inside(e.from, module)));
    if (!used) problems.push({ kind: "stale-side-door", file });
  }
  const production = graph.filter((e) => !isTestCode(e.from) && !allowed.has(`${e.from} ${e.to}`));
  problems.push(...folderCycles(production), ...moduleCycles(production, doors));
  return problems;
}

/** One import: `from` imports `to` at `line`. Paths relative to the root. */
interface Edge {
  from: string;
  to: string;
  line: number;
}

async function sourceFiles(base: string, skip: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  async function walk(dir: string): Promise<void> {
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      const rel = relative(base, path).replaceAll("\\", "/");
      if (entry.isDirectory) {
        if (!skip.some((s) => `/${rel}/`.includes(`/${s}`))) await walk(path);
      } else if (entry.name.endsWith(".ts") && !skip.some((s) => `/${rel}`.includes(`/${s}`))) {
        files.push(rel);
      }
    }
  }
  await walk(base);
  return files.sort();
}

interface InfoModule {
  specifier: string;
  dependencies?: {
    code?: InfoResolution;
    type?: InfoResolution;
  }[];
}

interface InfoResolution {
  specifier?: string;
  span: { start: { line: number } };
}

/** Every import between two checked files, from `deno info --json` over all of them. */
async function importGraph(base: string, files: string[]): Promise<Edge[]> {
  const entry = await Deno.makeTempFile({ prefix: "rohas_imports_", suffix: ".ts" });
  try {
    const lines = files.map((f) => `import ${JSON.stringify(pathToFileURL(join(base, f)).href)};`);
    await Deno.writeTextFile(entry, lines.join("\n"));
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", entry],
      cwd: base,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!output.success) {
      throw new Error(`Cannot read the import graph: ${new TextDecoder().decode(output.stderr)}`);
    }
    const info = JSON.parse(new TextDecoder().decode(output.stdout)) as { modules: InfoModule[] };
    return edgesOf(info.modules, base, new Set(files));
  } finally {
    await Deno.remove(entry);
  }
}

function edgesOf(modules: InfoModule[], base: string, files: Set<string>): Edge[] {
  const rel = (url: string | undefined): string | null => {
    if (!url?.startsWith("file:")) return null;
    const path = relative(base, fileURLToPath(url)).replaceAll("\\", "/");
    return files.has(path) ? path : null;
  };
  const edges: Edge[] = [];
  for (const module of modules) {
    const from = rel(module.specifier);
    if (from === null) continue;
    for (const dependency of module.dependencies ?? []) {
      for (const resolution of [dependency.code, dependency.type]) {
        const to = rel(resolution?.specifier);
        if (to === null || edges.some((e) => e.from === from && e.to === to)) continue;
        edges.push({ from, to, line: resolution!.span.start.line + 1 });
      }
    }
  }
  return edges.sort((a, b) => a.from < b.from ? -1 : a.from > b.from ? 1 : a.line - b.line);
}

/** The folder of the deepest module (a folder with `mod.ts`, not the root) holding `file`. */
function moduleOf(file: string, doors: Set<string>): string | null {
  for (let dir = dirname(file); dir !== "."; dir = dirname(dir)) {
    if (doors.has(`${dir}/mod.ts`)) return dir;
  }
  return null;
}

function inside(file: string, folder: string): boolean {
  return file.startsWith(`${folder}/`);
}

function topFolder(file: string): string {
  const slash = file.indexOf("/");
  return slash === -1 ? file : file.slice(0, slash);
}

/** A `_file.ts`, or any file below a `_folder/`. */
function isPrivate(file: string): boolean {
  return file.split("/").some((part) => part.startsWith("_"));
}

function boundaryProblem(edge: Edge, doors: Set<string>): ImportProblem | null {
  const { from: file, to: imports, line } = edge;
  const module = moduleOf(imports, doors);
  if (module !== null) {
    const door = `${module}/mod.ts`;
    const parent = moduleOf(`${module}/`, doors);
    if (inside(file, module)) return null;
    // A private module (`adapters/_support/`) serves its parent only.
    if (imports === door && (!isPrivate(module) || parent === null || inside(file, parent))) {
      return null;
    }
    if (parent !== null && inside(file, parent) && !isPrivate(imports)) return null;
    return { kind: "door", file, line, imports, door };
  }
  // A private file at the root (`_import_on_demand.ts`) serves the whole repository, as a
  // parent's files serve its nested modules.
  const atRoot = !imports.includes("/");
  if (isPrivate(imports) && !atRoot && topFolder(file) !== topFolder(imports)) {
    return { kind: "private", file, line, imports };
  }
  return null;
}

/** Test code: nothing outside tests imports it, so it cannot close a cycle. */
function isTestCode(file: string): boolean {
  return file.startsWith("tests/") || /(_test|\/_test_[^/]*)\.ts$/.test(file) ||
    /^_test_/.test(file);
}

/** Cycles between top-level folders (root files count one by one). */
function folderCycles(edges: Edge[]): ImportProblem[] {
  const between = edges.filter((e) => topFolder(e.from) !== topFolder(e.to));
  return cycles(between, topFolder).map(({ cycle, via }) => ({
    kind: "cycle",
    level: "folder",
    cycle,
    via,
  }));
}

/** Cycles between the nested modules of one top-level folder. */
function moduleCycles(edges: Edge[], doors: Set<string>): ImportProblem[] {
  const node = (file: string) => moduleOf(file, doors) ?? topFolder(file);
  const between = edges.filter((e) => {
    const [a, b] = [node(e.from), node(e.to)];
    return a !== b && topFolder(e.from) === topFolder(e.to) && !inside(a, b);
  });
  return cycles(between, node).map(({ cycle, via }) => ({
    kind: "cycle",
    level: "module",
    cycle,
    via,
  }));
}

/**
 * The strongly connected components of more than one node (Tarjan), each as its nodes in sorted
 * order and the imports that join them.
 */
function cycles(
  edges: Edge[],
  node: (file: string) => string,
): { cycle: string[]; via: string[] }[] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    const set = next.get(node(e.from)) ?? new Set();
    set.add(node(e.to));
    next.set(node(e.from), set);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  function visit(v: string): void {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      component.push(w);
    } while (w !== v);
    if (component.length > 1) found.push(component.sort());
  }
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return found.map((cycle) => ({
    cycle,
    via: edges.filter((e) => cycle.includes(node(e.from)) && cycle.includes(node(e.to)))
      .map((e) => `${e.from}:${e.line} -> ${e.to}`),
  }));
}

/**
 * One line per problem, as the command prints it.
 *
 * @param problem a problem {@linkcode checkImports} found
 * @returns its description
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { describeProblem } from "./check_imports.ts";
 *
 * assertEquals(
 *   describeProblem({ kind: "private", file: "tests/a_test.ts", line: 3, imports: "bench/_x.ts" }),
 *   "tests/a_test.ts:3: imports bench/_x.ts, a private file of another folder",
 * );
 * ```
 */
export function describeProblem(problem: ImportProblem): string {
  switch (problem.kind) {
    case "door":
      return `${problem.file}:${problem.line}: imports ${problem.imports}; go through ${problem.door}`;
    case "private":
      return `${problem.file}:${problem.line}: imports ${problem.imports}, a private file of another folder`;
    case "stale-exception":
      return `${problem.from} no longer imports ${problem.to}: remove the exception from EXCEPTIONS`;
    case "stale-side-door":
      return `${problem.file} is imported from no other module: remove it from SIDE_DOORS`;
    case "cycle":
      return `Import cycle between the ${problem.level}s ${problem.cycle.join(", ")}:\n  ${
        problem.via.join("\n  ")
      }`;
  }
}

if (import.meta.main) {
  const root = Deno.args[0] ?? resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const problems = await checkImports(root);
  // deno-lint-ignore no-console
  for (const problem of problems) console.error(describeProblem(problem));
  if (problems.length > 0) Deno.exit(1);
}
