/**
 * Fails on a citation that leads nowhere: a Markdown link or image whose file (or heading anchor)
 * does not exist, and an `X.md` mention in a `.ts` or `.md` file naming a document that is not in
 * the repository (docs/design.md#comments-and-citations). A mention is looked up beside the file
 * that makes it, then from the repository root; an anchor (`docs/design.md#d3-…`) must be one of
 * the target's headings.
 *
 *   deno run --allow-read scripts/check_citations.ts [root]
 *
 * @module
 */

import { dirname, join, relative, resolve } from "node:path";

/** A citation that leads nowhere. */
export interface BrokenCitation {
  /** The citing file, relative to the root, with `/` separators. */
  file: string;
  /** 1-based line of the citation. */
  line: number;
  /** 1-based column of the citation. */
  column: number;
  /** The citation as written. */
  target: string;
  /** What is wrong with it. */
  problem: "missing file" | "missing heading";
}

/** Options of {@linkcode findBrokenCitations}. */
export interface CheckCitationsOptions {
  /**
   * Paths relative to the root (folders end with `/`) whose files are not checked. Default:
   * {@linkcode DEFAULT_SKIPPED}.
   */
  skip?: readonly string[];
}

/** What the check skips by default: generated, vendored, fixture and tool folders. */
export const DEFAULT_SKIPPED: readonly string[] = [
  ".git/",
  "node_modules/",
  ".rohas/",
  ".brokers/",
  ".services/",
  "workbench/dist/",
  "tests/fixtures/",
  "tests/golden/",
  "bench/results/",
  // The check and its test cite missing documents on purpose.
  "scripts/check_citations.ts",
  "scripts/check_citations_test.ts",
];

/** A link target, `[text](target)` or `![alt](target)` or `[ref]: target`, in Markdown. */
const LINK = /!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)|^\s{0,3}\[[^\]]+\]:\s*(\S+)/gm;
/** An `X.md` mention (with an optional anchor) that is not part of a longer path or expression. */
const MENTION = /(?<![\w./${}@:-])((?:\.\.?\/)?[\w-][\w./-]*\.md)(#[\w-]+)?(?![\w-])/g;

/**
 * Finds every broken citation under `root`, in file order.
 *
 * @param root the repository root
 * @param options what to skip
 * @returns the broken citations, empty when every citation resolves
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { findBrokenCitations } from "./check_citations.ts";
 *
 * const root = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${root}/a.ts`, "// See GONE.md, not README.md\n");
 * await Deno.writeTextFile(`${root}/README.md`, "# Readme\n");
 * const broken = await findBrokenCitations(root);
 * assertEquals(broken.map((b) => [b.file, b.target]), [["a.ts", "GONE.md"]]);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function findBrokenCitations(
  root: string,
  options: CheckCitationsOptions = {},
): Promise<BrokenCitation[]> {
  const base = resolve(root);
  const skip = options.skip ?? DEFAULT_SKIPPED;
  const headings = new Map<string, Set<string> | null>();
  const broken: BrokenCitation[] = [];
  for await (const file of sourceFiles(base, skip)) {
    const text = await Deno.readTextFile(file);
    for (const cite of citations(text, file.endsWith(".md"))) {
      const problem = await check(cite, { base, file, headings });
      if (!problem) continue;
      const { line, column, target } = cite;
      broken.push({ file: posix(relative(base, file)), line, column, target, problem });
    }
  }
  return broken;
}

/** A citation found in a text, before it is resolved. */
interface Citation {
  line: number;
  column: number;
  target: string;
  /** A Markdown link resolves beside its file only; a mention also from the root. */
  link: boolean;
}

async function* sourceFiles(dir: string, skip: readonly string[]): AsyncGenerator<string> {
  const entries = [];
  for await (const entry of Deno.readDir(dir)) entries.push(entry);
  entries.sort((a, b) => a.name < b.name ? -1 : 1);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) {
      if (!skipped(`${path}/`, skip)) yield* sourceFiles(path, skip);
    } else if (/\.(ts|md)$/.test(entry.name) && !skipped(path, skip)) {
      yield path;
    }
  }
}

function skipped(path: string, skip: readonly string[]): boolean {
  const p = posix(path);
  return skip.some((s) => p.endsWith(`/${s}`) || p.includes(`/${s}`));
}

function* citations(text: string, markdown: boolean): Generator<Citation> {
  const lines = text.split("\n");
  let fenced = false;
  for (const [index, raw] of lines.entries()) {
    if (markdown && /^\s*(```|~~~)/.test(raw)) fenced = !fenced;
    if (fenced) continue;
    const line = raw;
    const linked: [number, number][] = [];
    if (markdown) {
      for (const m of line.matchAll(LINK)) {
        const target = (m[1] ?? m[2])!;
        linked.push([m.index, m.index + m[0].length]);
        if (/^[a-z][a-z+.-]*:/i.test(target)) continue;
        yield { line: index + 1, column: m.index + 1, target, link: true };
      }
    }
    for (const m of line.matchAll(MENTION)) {
      if (linked.some(([from, to]) => m.index >= from && m.index < to)) continue;
      yield { line: index + 1, column: m.index + 1, target: m[1]! + (m[2] ?? ""), link: false };
    }
  }
}

async function check(
  cite: Citation,
  ctx: { base: string; file: string; headings: Map<string, Set<string> | null> },
): Promise<BrokenCitation["problem"] | null> {
  const [path = "", anchor] = cite.target.split("#", 2);
  const candidates = path === ""
    ? [ctx.file]
    : cite.link
    ? [resolve(dirname(ctx.file), decodeURI(path))]
    : [resolve(dirname(ctx.file), path), resolve(ctx.base, path)];
  for (const candidate of candidates) {
    if (!await exists(candidate)) continue;
    if (anchor === undefined || !candidate.endsWith(".md")) return null;
    const known = await headingsOf(candidate, ctx.headings);
    return known.has(anchor) ? null : "missing heading";
  }
  return "missing file";
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

async function headingsOf(
  file: string,
  cache: Map<string, Set<string> | null>,
): Promise<Set<string>> {
  const cached = cache.get(file);
  if (cached) return cached;
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of (await Deno.readTextFile(file)).split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = headingSlug(heading[1]!);
    let unique = slug;
    for (let n = 1; anchors.has(unique); n++) unique = `${slug}-${n}`;
    anchors.add(unique);
  }
  cache.set(file, anchors);
  return anchors;
}

/**
 * The anchor a Markdown heading gets (GitHub's rule): lower case, punctuation dropped, spaces to
 * hyphens.
 *
 * @param heading the heading's text, without the leading `#`s
 * @returns its anchor, without `#`
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { headingSlug } from "./check_citations.ts";
 *
 * assertEquals(headingSlug("D3 Requests and validation"), "d3-requests-and-validation");
 * assertEquals(headingSlug("`deno.json` enforces it"), "denojson-enforces-it");
 * ```
 */
export function headingSlug(heading: string): string {
  return heading.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}

function posix(path: string): string {
  return path.replaceAll("\\", "/");
}

if (import.meta.main) {
  const root = Deno.args[0] ?? resolve(dirname(new URL(import.meta.url).pathname), "..");
  const broken = await findBrokenCitations(root);
  for (const b of broken) {
    const what = b.problem === "missing file" ? "no such file" : "no such heading";
    // deno-lint-ignore no-console
    console.error(`${b.file}:${b.line}:${b.column}: ${b.target}: ${what}`);
  }
  if (broken.length > 0) Deno.exit(1);
}
