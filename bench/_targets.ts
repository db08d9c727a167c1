/**
 * The `target:` lines the benchmarks print, one per target of docs/design.md's measured targets,
 * and reading them back from a run's output (bench/targets.ts gathers them over several runs).
 *
 * A line reads `target: <what>: met (<figure>)` or `target: <what>: not met (<figure>)`; older
 * lines put the figure first (`target: <what>: <figure>, met`), which reads back the same.
 *
 * @module
 */

/** One target as a run printed it. */
export interface TargetResult {
  /** What the target asks, as printed (`rohas start / the fair ceiling >= 0.8x`). */
  name: string;
  met: boolean;
  /** The measured figure, as printed. */
  figure: string;
}

/**
 * The line of a target.
 *
 * @param name what it asks
 * @param met whether the run met it
 * @param figure the measured figure
 * @returns `target: <name>: met (<figure>)`, or `not met`
 * @example
 * ```ts
 * import { targetLine } from "./_targets.ts";
 * console.assert(targetLine("p50 < 0.5 ms", true, "0.38 ms") === "target: p50 < 0.5 ms: met (0.38 ms)");
 * ```
 */
export function targetLine(name: string, met: boolean, figure: string): string {
  return `target: ${name}: ${met ? "met" : "not met"} (${figure})`;
}

/** The verdict last: `target: <what>: met (<figure>)`; the name may itself hold ": ". */
const VERDICT_LAST = /^target: (.+): (not met|met) \((.*)\)$/;
/** The figure first: `target: <what>: <figure>, met`. */
const FIGURE_FIRST = /^target: (.+): (.*), (not met|met)$/;

/**
 * The targets a run's output printed, in order; other lines are skipped.
 *
 * @param output what the benchmarks printed
 * @returns each target line read back
 * @example
 * ```ts
 * import { parseTargets } from "./_targets.ts";
 * const [memory] = parseTargets("x\ntarget: the tree idle ≤ 150 MiB RSS: 135.2 MiB, met\n");
 * console.assert(memory?.met === true && memory.figure === "135.2 MiB");
 * ```
 */
export function parseTargets(output: string): TargetResult[] {
  const results: TargetResult[] = [];
  for (const raw of output.split("\n")) {
    const line = raw.trim();
    const last = VERDICT_LAST.exec(line);
    if (last !== null) {
      results.push({ name: last[1]!, met: last[2] === "met", figure: last[3]! });
      continue;
    }
    const first = FIGURE_FIRST.exec(line);
    if (first !== null) {
      results.push({ name: first[1]!, met: first[3] === "met", figure: first[2]! });
    }
  }
  return results;
}
