/**
 * Parser benchmark: a generated schema of 1,000 files and 10,000 definitions, parsed (and parsed
 * plus validated) at 1x, 4x and 16x that size, to show the time and that it grows linearly.
 *
 * Run: `deno run -A bench/parser_bench.ts`
 *
 * @module
 */

import { parseFiles, type SourceFile, validateSchema } from "../parser/mod.ts";

const FILES = 1_000;
const DEFINITIONS_PER_FILE = 10;
const RUNS = 5;

/** One measured size: files, definitions and the median times in milliseconds. */
export interface ParserBenchRow {
  scale: number;
  files: number;
  definitions: number;
  bytes: number;
  parseMs: number;
  parseAndValidateMs: number;
}

/** Generates `files` schema files of ten definitions each, every name unique and every reference
 * defined, so validation has real work and nothing to report.
 *
 * @param files how many files
 * @returns the files, named `schema/file_<n>.ro`
 */
export function generateSchema(files: number): SourceFile[] {
  return Array.from({ length: files }, (_, n) => ({
    path: `schema/file_${n}.ro`,
    source: fileSource(n),
  }));
}

function fileSource(n: number): string {
  return `// generated file ${n}
model User${n} {
  id Int @id @auto
  name String
  email String @unique
  tags String[]?
  createdAt DateTime @default(now)
}

type User${n}Dto {
  id: Int
  name: String
}

input CreateUser${n}Input {
  name: String
  email: String?
}

api CreateUser${n} {
  method: POST
  path: "/users${n}"
  body: CreateUser${n}Input
  response: User${n}
  triggers: [User${n}Created]
  middlewares: [auth, "rate_limit"]
}

api GetUser${n} {
  method: GET
  path: "/users${n}/{id}"
  response: User${n}Dto
}

event User${n}Created {
  payload: User${n}
  handler: [send_email_${n}]
  triggers: [User${n}Audited]
}

event User${n}Audited {
  payload: Json
  handler: [audit_${n}]
  type: sqs
}

cron Cleanup${n} {
  schedule: "0 */5 * * * *"
  timezone: "UTC"
  triggers: [User${n}Audited]
}

ws Chat${n} {
  path: "/ws/chat${n}"
  message: CreateUser${n}Input
  onConnect: [connect_${n}]
  onMessage: [message_${n}]
  broadcast: true
}

/* a block
   comment */
input Unused${n}Input { x: Int }
`;
}

/** Measures every scale.
 *
 * @param scales multiples of 1,000 files / 10,000 definitions
 * @returns one row per scale
 */
export function runParserBench(scales: readonly number[] = [1, 4, 16]): ParserBenchRow[] {
  return scales.map((scale) => {
    const files = generateSchema(FILES * scale);
    const parseMs = median(() => {
      const { diagnostics } = parseFiles(files);
      if (diagnostics.length > 0) {
        throw new Error(`Unexpected diagnostic: ${diagnostics[0]?.message}`);
      }
    });
    const parseAndValidateMs = median(() => {
      const { schema, locations } = parseFiles(files);
      validateSchema(schema, { locations });
    });
    return {
      scale,
      files: files.length,
      definitions: files.length * DEFINITIONS_PER_FILE,
      bytes: files.reduce((sum, f) => sum + f.source.length, 0),
      parseMs,
      parseAndValidateMs,
    };
  });
}

function median(run: () => void): number {
  run(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function format(rows: ParserBenchRow[]): string {
  const header =
    "scale  files  definitions      bytes   parse ms  µs/def   parse+validate ms  µs/def";
  const lines = rows.map((r) =>
    [
      `${r.scale}x`.padStart(5),
      String(r.files).padStart(6),
      String(r.definitions).padStart(12),
      String(r.bytes).padStart(10),
      r.parseMs.toFixed(1).padStart(10),
      ((r.parseMs * 1000) / r.definitions).toFixed(2).padStart(7),
      r.parseAndValidateMs.toFixed(1).padStart(19),
      ((r.parseAndValidateMs * 1000) / r.definitions).toFixed(2).padStart(7),
    ].join(" ")
  );
  return [header, ...lines].join("\n") + "\n";
}

if (import.meta.main) {
  const note = `median of ${RUNS} runs after a warm-up; Deno ${Deno.version.deno}\n`;
  await Deno.stdout.write(new TextEncoder().encode(format(runParserBench()) + note));
}
