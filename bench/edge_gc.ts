// deno-lint-ignore-file no-console -- a benchmark script prints its results
/**
 * What the edge of `rohas start` allocates per request under load: its V8 reports each scavenge
 * (`--trace-gc-nvp` through `ROHAS_EDGE_V8_FLAGS`), and the bytes allocated, surviving and promoted
 * between the start and the end of a `wrk` run against POST /bench are divided by its requests. On
 * a shared machine the CPU per request of two configurations moves by ±5% between runs; these
 * counts move by about 1% (the serial loop in process of bench/pipeline_ab.ts counted 45–90 B of
 * telemetry per request where this counts 300–400). Each project directory is served in turn, in
 * alternating rounds, such as copies of examples/hello-ts with `[telemetry]` changed.
 *
 * Usage: deno run -A bench/edge_gc.ts [--seconds 8] [--rounds 2] [--checkout <dir>] <project>...
 *
 * @module
 */

import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import { REPO, wrkPostBench, wrkRequests } from "./_project.ts";

/** The sums of one run's scavenges. */
interface GcCounts {
  scavenges: number;
  others: number;
  allocated: number;
  survived: number;
  promoted: number;
}

/** Sums the scavenges `--trace-gc-nvp` printed in `text` (one `GC: {...}` line each). */
function countGc(text: string): GcCounts {
  const counts: GcCounts = { scavenges: 0, others: 0, allocated: 0, survived: 0, promoted: 0 };
  // V8 prints a few fields without their colon, so each field is read alone, not the line as JSON.
  const field = (line: string, name: string) =>
    Number(line.match(new RegExp(`"${name}":([0-9.e+-]+)`))?.[1] ?? 0);
  for (const line of text.split("\n")) {
    if (!line.includes("GC: {")) continue;
    if (!line.includes('"gc":"s"')) {
      counts.others++;
      continue;
    }
    counts.scavenges++;
    counts.allocated += field(line, "allocated");
    counts.survived += field(line, "new_space_survived");
    counts.promoted += field(line, "promoted");
  }
  return counts;
}

/** Serves `project` with its edge tracing GC, loads it, and returns the counts of the load. */
async function measure(cli: string, project: string, seconds: number) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli, "start", "--port", "0", project],
    cwd: REPO,
    env: { ROHAS_EDGE_V8_FLAGS: "--trace-gc-nvp" },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let text = "";
  const listening = Promise.withResolvers<string>();
  const reading = (async () => {
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      const url = text.match(/listening on (http:\/\/[^\s/]+)/i)?.[1];
      if (url !== undefined) listening.resolve(url);
    }
    listening.reject(new Error(`The server exited before listening: ${text}`));
  })();
  try {
    const url = await listening.promise;
    await wrkPostBench(url, 2); // warm-up
    const from = text.length;
    const out = await wrkPostBench(url, seconds);
    const counts = countGc(text.slice(from));
    return { requests: wrkRequests(out), counts };
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await reading;
  }
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      seconds: { type: "string", default: "8" },
      rounds: { type: "string", default: "2" },
      checkout: { type: "string" },
    },
  });
  if (positionals.length === 0) {
    console.error(
      "Usage: deno run -A bench/edge_gc.ts [--seconds 8] [--rounds 2] [--checkout <dir>] <project>...",
    );
    Deno.exit(2);
  }
  const cli = join(values.checkout === undefined ? REPO : resolve(values.checkout), "cli.ts");
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const project of positionals) {
      const dir = resolve(project);
      const { requests, counts } = await measure(cli, dir, Number(values.seconds));
      const per = (bytes: number) => (bytes / requests).toFixed(0).padStart(6);
      console.log(
        `round ${round + 1} ${dir}: ${requests} requests, ${counts.scavenges} scavenges ` +
          `(${counts.others} other GCs); B/request allocated ${per(counts.allocated)}, ` +
          `survived ${per(counts.survived)}, promoted ${per(counts.promoted)}`,
      );
    }
  }
}
