/**
 * Finds libpython and the `sys.path` additions a project needs, by asking `python3` through
 * `sysconfig` unless a library is given explicitly.
 *
 * @module
 */

import type { LibraryCandidate } from "./_protocol.ts";
import { PythonRuntimeError } from "./errors.ts";

/** Where to look, from `[runtime.python]` and the environment. */
export interface LocateOptions {
  /** Project root: its `.venv` site-packages are added when present. */
  root: string;
  /** `[runtime.python] library`. */
  library: string | null;
  /** `[runtime.python] executable`. */
  executable: string;
  /** `ROHAS_PYTHON_LIB`, which wins over `library`. */
  envLibrary: string | null;
}

/** The result: libraries to try in order, and the problems met while asking `python3`. */
export interface Located {
  /** Libraries to try, in order. */
  candidates: LibraryCandidate[];
  /** What went wrong asking `python3` (`"<executable>: <reason>"`), if anything. */
  problems: string[];
}

interface PythonFacts {
  libdir: string | null;
  ldlibrary: string | null;
  instsoname: string | null;
  base_prefix: string;
  version: string;
  path: string[];
}

const QUERY = `import json, sys, sysconfig
v = sysconfig.get_config_var
print(json.dumps({"libdir": v("LIBDIR"), "ldlibrary": v("LDLIBRARY"), "instsoname": v("INSTSONAME"),
  "base_prefix": sys.base_prefix, "version": "%d.%d" % sys.version_info[:2],
  "path": [p for p in sys.path if p]}))`;

/**
 * Lists the libpython candidates: `ROHAS_PYTHON_LIB`, `[runtime.python] library`, then what
 * `python3` reports (`LIBDIR` with `INSTSONAME`/`LDLIBRARY`, `sys.base_prefix/lib`, the bare soname).
 */
export async function locatePython(options: LocateOptions): Promise<Located> {
  const problems: string[] = [];
  const facts = await askPython(options.executable).catch((error: Error) => {
    problems.push(`${options.executable}: ${error.message}`);
    return null;
  });
  const venv = await venvSitePackages(options.root);
  const explicit = [options.envLibrary, options.library].filter((p): p is string => !!p);
  if (explicit.length > 0) {
    // A library named explicitly is the one to use: no fallback to another interpreter.
    const candidates = await Promise.all(
      explicit.map((path) => explicitCandidate(path, facts, venv)),
    );
    return { candidates: dedupe(candidates), problems };
  }
  const candidates: LibraryCandidate[] = [];
  if (facts !== null) {
    for (const path of fromFacts(facts)) {
      candidates.push({ path, home: facts.base_prefix, front: venv, paths: facts.path });
    }
  }
  return { candidates: dedupe(candidates), problems };
}

/**
 * An explicit library: when it is `python3`'s own, that interpreter's home and site-packages come
 * with it; otherwise its home is guessed from the layout `<home>/lib/libpythonX.Y.so`.
 */
async function explicitCandidate(
  path: string,
  facts: PythonFacts | null,
  venv: string[],
): Promise<LibraryCandidate> {
  const real = await realPath(path);
  if (facts !== null && real !== null) {
    for (const known of fromFacts(facts)) {
      if ((await realPath(known)) === real) {
        return { path, home: facts.base_prefix, front: venv, paths: facts.path };
      }
    }
  }
  return { path, home: await homeOf(path), front: venv, paths: [] };
}

async function homeOf(path: string): Promise<string | null> {
  const version = /libpython(\d+\.\d+)/.exec(path)?.[1];
  const home = path.split("/").slice(0, -2).join("/");
  if (version === undefined || home === "") return null;
  const stdlib = await Deno.stat(`${home}/lib/python${version}/os.py`).then(
    () => true,
    () => false,
  );
  return stdlib ? home : null;
}

function realPath(path: string): Promise<string | null> {
  return Deno.realPath(path).catch(() => null);
}

function fromFacts(facts: PythonFacts): string[] {
  const names = [facts.instsoname, facts.ldlibrary]
    .filter((n): n is string => !!n && !n.endsWith(".a"));
  const dirs = [facts.libdir, `${facts.base_prefix}/lib`].filter((d): d is string => !!d);
  const paths = dirs.flatMap((dir) => names.map((name) => `${dir}/${name}`));
  return [...paths, ...names, `libpython${facts.version}.so.1.0`];
}

function dedupe(candidates: LibraryCandidate[]): LibraryCandidate[] {
  const seen = new Set<string>();
  return candidates.filter((c) => !seen.has(c.path) && seen.add(c.path));
}

async function askPython(executable: string): Promise<PythonFacts> {
  const output = await new Deno.Command(executable, {
    args: ["-c", QUERY],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    const detail = new TextDecoder().decode(output.stderr).trim();
    throw new PythonRuntimeError(`Exited with code ${output.code}: ${detail}`);
  }
  return JSON.parse(new TextDecoder().decode(output.stdout)) as PythonFacts;
}

async function venvSitePackages(root: string): Promise<string[]> {
  const lib = `${root}/.venv/lib`;
  const found: string[] = [];
  try {
    for await (const entry of Deno.readDir(lib)) {
      if (entry.isDirectory && entry.name.startsWith("python")) {
        found.push(`${lib}/${entry.name}/site-packages`);
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return found.sort();
}
