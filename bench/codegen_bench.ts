/**
 * Codegen benchmark: the parser benchmark's schema of 10,000 definitions (1,000 files), generated in
 * TypeScript and in Python, median of five runs each. Target: under 2 s.
 *
 * Run: `deno run -A bench/codegen_bench.ts`
 *
 * @module
 */

import { parseFiles } from "../parser/mod.ts";
import { generateProject } from "../codegen/mod.ts";
import { generateSchema } from "./parser_bench.ts";

const RUNS = 5;

/** One measured language: definitions, files produced, median milliseconds. */
export interface CodegenBenchRow {
  language: "typescript" | "python";
  definitions: number;
  files: number;
  bytes: number;
  medianMs: number;
}

/** Measures codegen of the 10,000-definition schema in both languages.
 *
 * @returns one row per language
 */
export function runCodegenBench(): CodegenBenchRow[] {
  const { schema } = parseFiles(generateSchema(1_000));
  const definitions = schema.models.length + schema.types.length + schema.inputs.length +
    schema.apis.length + schema.events.length + schema.crons.length + schema.websockets.length;
  return (["typescript", "python"] as const).map((language) => {
    const times: number[] = [];
    let files = generateProject(schema, { language });
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      files = generateProject(schema, { language });
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const bytes = files.reduce((sum, f) => sum + f.content.length, 0);
    return { language, definitions, files: files.length, bytes, medianMs: times[2]! };
  });
}

if (import.meta.main) {
  for (const row of runCodegenBench()) {
    // deno-lint-ignore no-console
    console.log(
      `codegen ${row.language.padEnd(10)} ${row.definitions} definitions -> ${row.files} files ` +
        `(${(row.bytes / 1e6).toFixed(1)} MB): median ${
          row.medianMs.toFixed(0)
        } ms (target < 2000 ms)`,
    );
  }
}
