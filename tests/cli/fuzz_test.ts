/**
 * Random and adversarial command lines against the real CLI: never an uncaught error, exit codes
 * only 0, 1 or 2, no stack trace in the output, and every usage error (2) says what is wrong and
 * shows the usage. Each line runs in a fresh empty directory, so no command finds a project to
 * serve or change. Set ROHAS_FUZZ_SEED to replay a run; a failure names its seed and line.
 */

import { deepStrictEqual as assertEquals, fail, ok } from "node:assert/strict";
import { dirname, join } from "node:path";
import { COMMANDS } from "../../cli/commands.ts";
import { rohas } from "../../testing/mod.ts";

const CASES = 400;
const SEED = Number(Deno.env.get("ROHAS_FUZZ_SEED") ?? 20261206);

const ADVERSARIAL: string[][] = [
  [],
  [""],
  ["constructor"],
  ["__proto__"],
  ["toString"],
  ["hasOwnProperty"],
  ["valueOf"],
  ["help", "constructor"],
  ["help", "__proto__"],
  ["cron", "run", "--bogus"],
  ["cron", "constructor"],
  ["cron", "run"],
  ["dev", "--port", "abc"],
  ["dev", "--port"],
  ["dev", "--port", "99999"],
  ["dev", "--port=-1"],
  ["start", "-p", ""],
  ["dev", "--__proto__"],
  ["dev", "--constructor", "x"],
  ["validate", "a", "b", "c"],
  ["validate", "-C"],
  ["validate", "x", "--project", "y"],
  ["dlq", "purge"],
  ["dlq", "replay"],
  ["dlq", "replay", "T", "--all", "--id", "x"],
  ["dlq", "list", "--id"],
  ["init"],
  ["init", ""],
  ["init", "app", "--example", "shop"],
  ["init", "app", "--lang", "cobol"],
  ["codegen", "--lang", "cobol"],
  ["version", "now"],
  ["version", "--json"],
  ["list-events", "\u0000"],
  ["ünïcødé"],
  ["💥", "--💥"],
  ["--version"],
  ["-V"],
  ["--help"],
  ["dev", "--help", "--bogus"],
  ["-x"],
  ["--"],
  ["dev", "--", "--port"],
];

const WORDS = [
  ...COMMANDS.keys(),
  "help",
  "constructor",
  "__proto__",
  "prototype",
  "toString",
  "run",
  "list",
  "replay",
  "Tick",
  "UserCreated",
  "app",
  ".",
  "",
  " ",
  "-",
  "--",
  "---",
  "=",
  "--=",
  "-1",
  "0",
  "65536",
  "abc",
  "1e3",
  "ünïcødé",
  "💥",
  "a b",
  "%s%n",
  "${HOME}",
  "'\"`",
  "\\",
  "\n",
  "x".repeat(2000),
];

const FLAGS = [
  "--help",
  "-h",
  "--port",
  "-p",
  "--port=abc",
  "--port=8080",
  "--port=",
  "--no-watch",
  "--no-watch=false",
  "--workbench",
  "--json",
  "--strict",
  "--id",
  "--all",
  "--url",
  "--project",
  "-C",
  "--project=",
  "--schema",
  "--output",
  "--lang",
  "--lang=py",
  "--example",
  "--example=blank",
  "--rohas",
  "--client",
  "--client=cobol",
  "--out",
  "--openapi",
  "--asyncapi=-",
  "--bogus",
  "--constructor",
  "--__proto__",
  "--toString",
  "-x",
  "-pp",
  "--💥",
];

/** mulberry32: small, seedable, good enough to pick tokens. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomLine(next: () => number): string[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const line = [next() < 0.85 ? pick([...COMMANDS.keys()]) : pick(WORDS)];
  const length = Math.floor(next() * 6);
  for (let i = 0; i < length; i++) line.push(next() < 0.5 ? pick(FLAGS) : pick(WORDS));
  return line;
}

const STACK_FRAME = /^\s+at .*(:\d+:\d+\)?|\(native\))$/m;

/** Fails the test with the line when the CLI misbehaves on it. */
async function check(line: string[], root: string): Promise<void> {
  const cwd = await Deno.makeTempDir({ dir: root });
  const shown = JSON.stringify(line);
  try {
    const run = await withTimeout(rohas(line, { cwd }), shown);
    ok([0, 1, 2].includes(run.code), `${shown}: exit code ${run.code}`);
    const output = run.stdout + run.stderr;
    ok(!STACK_FRAME.test(output), `${shown}: a stack trace in\n${output}`);
    ok(!output.includes("Uncaught"), `${shown}: an uncaught error in\n${output}`);
    // A usage error shows the usage; `diff` also exits 2 when a version cannot be read.
    const usage = /^Error: .+\nUsage: rohas /.test(run.stderr);
    if (run.code === 2) ok(usage || line[0] === "diff", `${shown}: usage error\n${run.stderr}`);
    if (run.code === 2) ok(/^Error: /m.test(run.stderr), `${shown}: no error line\n${run.stderr}`);
  } catch (error) {
    fail(`seed ${SEED}, ${shown}: ${error instanceof Error ? error.stack : error}`);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
}

async function withTimeout<T>(promise: Promise<T>, line: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${line} did not finish in 30 s`)), 30_000);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A scratch root no command can mistake for (a part of) a project. */
async function scratchRoot(): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "rohas-cli-fuzz-" });
  for (let dir = root; dirname(dir) !== dir; dir = dirname(dir)) {
    for (const marker of ["schema", "config/rohas.toml"]) {
      const found = await Deno.stat(join(dirname(dir), marker)).then(() => true, () => false);
      ok(!found, `${join(dirname(dir), marker)} exists: the fuzz lines could find a project`);
    }
  }
  return root;
}

Deno.test("adversarial command lines get a message, the usage where the line is wrong, and exit 0, 1 or 2", async () => {
  const root = await scratchRoot();
  try {
    for (const line of ADVERSARIAL) await check(line, root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test(`${CASES} random command lines never crash the CLI (seed ${SEED})`, async () => {
  const root = await scratchRoot();
  const next = random(SEED);
  try {
    for (let i = 0; i < CASES; i++) await check(randomLine(next), root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("the real process exits 2 with one line and the usage for unknown commands and options", async () => {
  const root = await scratchRoot();
  try {
    const lines: [string[], string][] = [
      [["constructor"], 'Error: Unknown command "constructor"\n'],
      [["__proto__"], 'Error: Unknown command "__proto__"\n'],
      [["cron", "run", "--bogus"], 'Error: Unknown option "--bogus"\n'],
      [["dev", "--port", "abc"], 'Error: Invalid value "abc" for --port'],
    ];
    const runs = await Promise.all(
      lines.map(([args]) => rohas(args, { cwd: root, process: true })),
    );
    runs.forEach((run, i) => {
      const [args, start] = lines[i]!;
      assertEquals(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
      ok(run.stderr.startsWith(start), run.stderr);
      ok(/\nUsage: rohas .*\nRun "rohas .*--help" for more\.\n$/.test(run.stderr), run.stderr);
      ok(!STACK_FRAME.test(run.stderr), run.stderr);
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
