// deno-lint-ignore-file no-console -- a benchmark script prints its results
/**
 * What a served request's parts cost on this machine: one bare `Deno.serve` answer, then the same
 * answer with one more thing done per request (its method or URL read, its headers touched or one
 * header read, ten clock reads, ten UUIDs, the answer given as a promise), each its own server
 * process under `wrk -t2 -c32` on `GET /`. Each variant's CPU (every thread of its process, from
 * `/proc/<pid>/task/<tid>/schedstat`, in nanoseconds) is divided by the requests it answered, and
 * compared with the bare answer of the same round: the rounds alternate their order, so load on a
 * shared machine touches every variant alike. First it times one clock read in a loop.
 *
 * It shows which of a request's costs depend on the machine: on the slower of two virtual machines
 * of one CPU model, a served request's headers cost 2-6.5 µs and a clock read 230-340 ns
 * (BENCHMARKS.md, "A second virtual machine of this kind"). The pipeline reads a request's method, URL and
 * headers, where the hand-written reference reads none of them.
 *
 *   deno run -A bench/serve_ops.ts [--seconds 4] [--rounds 3] [--only <regex>]
 *
 * Needs `wrk`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { machineLine } from "./_machine.ts";
import { median, range, spawnListening, wrkRequests } from "./_project.ts";

/** One way of serving: what its handler does before answering, and how many times. */
export interface OpVariant {
  name: string;
  /** JavaScript run per request with `req` in scope, adding to `x` so that nothing is dropped. */
  work: string;
  /** How many times the work does its one thing (10 for the loops): the cost is divided by it. */
  times: number;
  /** The answer is returned as a promise. */
  promise?: boolean;
}

/** The variants, the bare answer first. */
export const OP_VARIANTS: readonly OpVariant[] = [
  { name: "bare answer", work: "", times: 1 },
  { name: "method read", work: "x += req.method.length;", times: 1 },
  { name: "URL read", work: "x += req.url.length;", times: 1 },
  {
    name: "headers touched (the list copied at the answer)",
    work: "x += req.headers === null ? 1 : 0;",
    times: 1,
  },
  {
    name: "content-type read (one header, then the list copied)",
    work: 'x += (req.headers.get("content-type") ?? "").length;',
    times: 1,
  },
  {
    name: "content-length read (the list copied at once)",
    work: 'x += (req.headers.get("content-length") ?? "").length;',
    times: 1,
  },
  {
    name: "performance.now() x10",
    work: "for (let i = 0; i < 10; i++) x += performance.now();",
    times: 10,
  },
  { name: "Date.now() x10", work: "for (let i = 0; i < 10; i++) x += Date.now();", times: 10 },
  {
    name: "crypto.randomUUID() x10",
    work: "for (let i = 0; i < 10; i++) x += crypto.randomUUID().length;",
    times: 10,
  },
  { name: "answer as a promise", work: "", times: 1, promise: true },
];

/**
 * The server of a variant, as source for `deno eval`: it prints its URL once listening.
 *
 * @param variant the variant
 * @returns the source
 * @example
 * ```ts
 * import { OP_VARIANTS, serverSource } from "./serve_ops.ts";
 *
 * const source = serverSource(OP_VARIANTS[1]!);
 * console.assert(source.includes("x += req.method.length;"));
 * console.assert(source.includes("Deno.serve"));
 * ```
 */
export function serverSource(variant: OpVariant): string {
  const answer = 'new Response(x === -1 ? "no" : "ok")';
  return `Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: (a) => console.log("listening on http://127.0.0.1:" + a.port) }, (req) => {
  let x = 0;
  ${variant.work}
  return ${variant.promise === true ? `Promise.resolve(${answer})` : answer};
});`;
}

/**
 * What one clock read costs in a loop in this process, in nanoseconds: on some virtual machines a
 * read costs several times what it costs elsewhere, with no system call (the vDSO's time stamp
 * counter read itself is slow there).
 *
 * @param reads how many reads each clock is timed over
 * @returns the mean nanoseconds of `Date.now()` and of `performance.now()`
 */
export function clockReadNs(reads = 200_000): { date: number; performance: number } {
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < reads; i++) sink += Date.now();
  const t1 = performance.now();
  for (let i = 0; i < reads; i++) sink += performance.now();
  const t2 = performance.now();
  if (sink === 0) throw new Error("unreachable: the clocks read 0");
  return { date: (t1 - t0) * 1e6 / reads, performance: (t2 - t1) * 1e6 / reads };
}

/**
 * The CPU time of every thread of a process so far, in nanoseconds (each thread's `schedstat`),
 * or NaN when it cannot be read.
 */
function cpuNs(pid: number): number {
  let sum = 0;
  try {
    for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
      const text = Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/schedstat`);
      sum += Number(text.split(" ")[0]);
    }
  } catch {
    return Number.NaN;
  }
  return sum;
}

interface Served {
  variant: OpVariant;
  url: string;
  child: Deno.ChildProcess;
  /** CPU µs per request, one per round. */
  rounds: number[];
  perSecond: number[];
}

async function measure(server: Served, seconds: number): Promise<void> {
  const wrk = new Deno.Command("wrk", {
    args: ["-t2", "-c32", `-d${seconds}s`, `${server.url}/`],
    stdout: "piped",
  }).spawn();
  const before = cpuNs(server.child.pid);
  const report = new TextDecoder().decode((await wrk.output()).stdout);
  const used = cpuNs(server.child.pid) - before;
  const requests = wrkRequests(report);
  server.rounds.push(requests > 0 ? used / 1000 / requests : Number.NaN);
  server.perSecond.push(requests / seconds);
}

/** The median of the differences with the bare answer, paired by round. */
function pairedDelta(server: Served, bare: Served): number {
  return median(server.rounds.map((us, i) => us - bare.rounds[i]!));
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      seconds: { type: "string", default: "4" },
      rounds: { type: "string", default: "3" },
      only: { type: "string" },
    },
  });
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  const only = values.only === undefined ? null : new RegExp(values.only);
  const variants = OP_VARIANTS.filter((v, i) => i === 0 || only === null || only.test(v.name));
  console.log(machineLine());
  const clocks = clockReadNs();
  console.log(
    `one clock read in a loop: Date.now() ${clocks.date.toFixed(0)} ns, performance.now() ${
      clocks.performance.toFixed(0)
    } ns`,
  );
  console.log(`wrk -t2 -c32 -d${seconds}s GET /, ${rounds} rounds, each variant its own process`);
  const servers: Served[] = [];
  try {
    for (const variant of variants) {
      const { url, child } = await spawnListening(["eval", serverSource(variant)]);
      servers.push({ variant, url, child, rounds: [], perSecond: [] });
    }
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? servers : servers.toReversed();
      for (const server of order) await measure(server, seconds);
    }
  } finally {
    for (const { child } of servers) {
      child.kill("SIGTERM");
      await child.status;
    }
  }
  const bare = servers[0]!;
  for (const server of servers) {
    const us = median(server.rounds);
    const rate = Math.round(median(server.perSecond));
    let line = `${server.variant.name.padEnd(54)} ${String(rate).padStart(7)} req/s  cpu ${
      us.toFixed(2)
    } us/req (${range(server.rounds, 2)})`;
    if (server !== bare) {
      const delta = pairedDelta(server, bare);
      const each = server.variant.times > 1
        ? `, ${(delta * 1000 / server.variant.times).toFixed(0)} ns each`
        : "";
      line += `  ${delta >= 0 ? "+" : ""}${delta.toFixed(2)} us${each}`;
    }
    console.log(line);
  }
}
