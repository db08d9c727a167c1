/**
 * The module graph of a project's TypeScript handlers, for hot reload (`rohas dev`): which handler
 * files import (directly or not) a given module. Built with `deno info --json`, which resolves
 * imports exactly as the handlers' Workers will (import maps, `deno.json`), from the generated
 * manifest (one process for every handler) or, without one, from each handler file. It is rebuilt
 * in the background after each edit, since an edit may add or drop imports.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** Runs `deno info --json` on a root module; resolves with its JSON text. */
export type InfoRunner = (root: string, cwd: string) => Promise<string>;

/** Options of {@linkcode ModuleGraph}. */
export interface ModuleGraphOptions {
  /** The project root (`deno info` runs there, so the project's `deno.json` applies). */
  root: string;
  /** Replaces the `deno info` subprocess (tests). */
  info?: InfoRunner;
}

interface InfoModule {
  specifier: string;
  dependencies?: { code?: { specifier?: string }; type?: { specifier?: string } }[];
}

/** Local imports by file: the edges of the graph, over absolute paths. */
type Edges = Map<string, Set<string>>;

/** The import graph of a set of root modules, rebuilt on demand. */
export class ModuleGraph {
  readonly #options: ModuleGraphOptions;
  #edges: Promise<Edges> = Promise.resolve(new Map());
  #roots: readonly string[] = [];
  /** The import specifiers last seen in each edited file (see {@linkcode importsChanged}). */
  readonly #specifiers = new Map<string, string>();

  constructor(options: ModuleGraphOptions) {
    this.#options = options;
  }

  /**
   * Rebuilds the graph from `roots` (absolute paths); queries wait for the newest build. A root
   * `deno info` cannot read (a syntax error) keeps its last known imports.
   *
   * @param roots the modules to start from
   */
  refresh(roots: readonly string[] = this.#roots): void {
    this.#roots = roots;
    const previous = this.#edges;
    this.#edges = this.#build(roots, previous);
  }

  /**
   * The files among `candidates` that import `file`, directly or through other modules, or are
   * `file` itself.
   *
   * @param file an absolute path
   * @param candidates absolute paths of handler files
   * @returns the candidates depending on `file`, in their order
   */
  async dependents(file: string, candidates: readonly string[]): Promise<string[]> {
    const edges = await this.#edges;
    return candidates.filter((candidate) => reaches(edges, candidate, file));
  }

  /**
   * Whether an edit of `file` may have changed the graph: its import specifiers differ from the
   * last edit's (or it was not edited before). Most edits change code, not imports, and need no new
   * `deno info` competing with the reload for CPU.
   *
   * @param file an absolute path
   * @returns false when the file's imports are the same as at its last edit
   */
  async importsChanged(file: string): Promise<boolean> {
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return true;
      throw error;
    }
    const specifiers = [...text.matchAll(IMPORT)].map((match) => match[1] ?? match[2]).join("\n");
    const changed = this.#specifiers.get(file) !== specifiers;
    this.#specifiers.set(file, specifiers);
    return changed;
  }

  async #build(roots: readonly string[], previous: Promise<Edges>): Promise<Edges> {
    const known = await previous;
    const edges: Edges = new Map();
    const info = this.#options.info ?? runDenoInfo;
    for (const root of roots) {
      let text: string;
      try {
        text = await info(root, this.#options.root);
      } catch {
        // Keeps what was known: the reload of this edit reports the error itself.
        for (const [file, deps] of known) edges.set(file, deps);
        continue;
      }
      addEdges(edges, text);
    }
    return edges;
  }
}

/**
 * Static and dynamic import specifiers (`from "x"`, `import "x"`, `import("x")`); only compared
 * between two versions of one file, so a form it misses in both changes nothing.
 */
const IMPORT = /(?:\bfrom\s*|\bimport\s*)["']([^"']+)["']|\bimport\s*\(\s*["'`]([^"'`]+)["'`]/g;

function addEdges(edges: Edges, text: string): void {
  const parsed = JSON.parse(text) as { modules?: InfoModule[] };
  for (const module of parsed.modules ?? []) {
    const from = localPath(module.specifier);
    if (from === null) continue;
    const deps = edges.get(from) ?? new Set<string>();
    for (const dependency of module.dependencies ?? []) {
      for (const specifier of [dependency.code?.specifier, dependency.type?.specifier]) {
        const to = specifier === undefined ? null : localPath(specifier);
        if (to !== null) deps.add(to);
      }
    }
    edges.set(from, deps);
  }
}

function localPath(specifier: string): string | null {
  return specifier.startsWith("file:") ? fileURLToPath(specifier) : null;
}

/** Whether `target` is `from` or reachable from it. */
function reaches(edges: Edges, from: string, target: string): boolean {
  const seen = new Set<string>([from]);
  const stack = [from];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (file === target) return true;
    for (const next of edges.get(file) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return false;
}

async function runDenoInfo(root: string, cwd: string): Promise<string> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", root],
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  if (!output.success) throw new Error(decoder.decode(output.stderr).trim());
  return decoder.decode(output.stdout);
}
