// deno-lint-ignore-file no-console -- a benchmark script prints its results
/**
 * The embedded entry under `deno serve --parallel` next to `rohas start` and a bare
 * `deno serve --parallel` doing the same work, each with the same number of isolates serving the
 * port, in one run: requests/s and p50/p99 latency of the example's `POST /bench` (a 7-field body
 * validated, a trace recorded in memory) measured with `wrk`.
 *
 * Usage: deno run -A bench/serve_bench.ts [--isolates 2] [--duration 5] [--connections 32]
 * Needs `wrk` (Debian: `apt-get install -y wrk`).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { BENCH_BODY as BODY, BENCH_CHECK_SOURCE, REPO } from "./_project.ts";
import { machineLine } from "./_machine.ts";
import { freePort } from "../testing/mod.ts";

/** The work of POST /bench by hand, as a `deno serve` module: the floor of what it costs. */
const BARE = `
${BENCH_CHECK_SOURCE}export default {
  async fetch(req) {
    const traceId = crypto.randomUUID();
    const b = await req.json();
    const details = checkBench(b);
    const headers = { "X-Rohas-Trace-Id": traceId, "Access-Control-Allow-Origin": "*" };
    if (details.length > 0) return Response.json({ error: "Request body does not match", details }, { status: 422, headers });
    return Response.json({ data: { ok: true, name: b.name } }, { headers });
  },
};
`;

/** The flags of the serve task `rohas init` writes. */
const ENTRY_FLAGS = ["--allow-net", "--allow-env", "--unstable-kv", "--unstable-cron"];

interface Result {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

const { values } = parseArgs({
  args: Deno.args,
  options: {
    isolates: { type: "string", default: "2" },
    duration: { type: "string", default: "5" },
    connections: { type: "string", default: "32" },
  },
});
const isolates = Number(values.isolates);
const example = await exampleCopy(isolates);
const bare = await Deno.makeTempFile({ suffix: ".js" });
await Deno.writeTextFile(bare, BARE);
const serve = (port: number, module: string) => [
  "serve",
  "--parallel",
  "--host",
  "127.0.0.1",
  "--port",
  String(port),
  ...ENTRY_FLAGS,
  module,
];
const variants: { name: string; args: (port: number) => string[] }[] = [
  {
    name: `main.ts, deno serve --parallel (${isolates} isolates)`,
    args: (port) => serve(port, `${example}/main.ts`),
  },
  {
    name: `rohas start (${isolates} edge processes)`,
    args: (port) => ["run", "-A", "cli.ts", "start", "--port", String(port), example],
  },
  {
    name: `bare deno serve --parallel (${isolates} isolates), same work`,
    args: (port) => serve(port, bare),
  },
];
console.log(machineLine());
console.log(
  `wrk -t2 -c${values.connections} -d${values.duration}s --latency, POST /bench, one run`,
);
for (const variant of variants) {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: variant.args(port),
    cwd: REPO,
    env: { DENO_JOBS: String(isolates) },
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    const url = `http://127.0.0.1:${port}/bench`;
    await ready(url);
    await wrk(url, 2); // warm-up
    const r = await wrk(url, Number(values.duration));
    console.log(
      `${variant.name.padEnd(58)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${
        r.p50.toFixed(2)
      } ms  p99 ${r.p99.toFixed(2)} ms  errors ${r.errors}`,
    );
  } finally {
    child.kill("SIGTERM");
    await child.status;
  }
}
await Deno.remove(example, { recursive: true });
await Deno.remove(bare);

/** The example with `[server] workers` set, so `rohas start` serves with that many edges. */
async function exampleCopy(workers: number): Promise<string> {
  const copy = await Deno.makeTempDir({ prefix: "rohas-serve-bench-" });
  await new Deno.Command("cp", { args: ["-r", `${REPO}/examples/hello-ts/.`, copy] }).output();
  await Deno.remove(`${copy}/.rohas`, { recursive: true }).catch(() => {});
  const config = `${copy}/config/rohas.toml`;
  const text = await Deno.readTextFile(config);
  await Deno.writeTextFile(
    config,
    text.replace(/\[server\]\n/, `[server]\nworkers = ${workers}\n`),
  );
  return copy;
}

async function ready(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, {
        method: "POST",
        body: BODY,
        headers: { "content-type": "application/json" },
      });
      await res.body?.cancel();
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} never answered 200`);
}

function ms(text: string): number {
  const m = text.match(/([\d.]+)(us|ms|s)/);
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === "us" ? v / 1000 : m[2] === "s" ? v * 1000 : v;
}

async function wrk(url: string, duration: number): Promise<Result> {
  const script = await Deno.makeTempFile({ suffix: ".lua" });
  await Deno.writeTextFile(
    script,
    `wrk.method = "POST"\nwrk.body = '${BODY}'\nwrk.headers["Content-Type"] = "application/json"\n`,
  );
  try {
    const args = [
      "-t2",
      `-c${values.connections}`,
      `-d${duration}s`,
      "--latency",
      "-s",
      script,
      url,
    ];
    const out = await new Deno.Command("wrk", { args, stdout: "piped", stderr: "piped" }).output();
    const text = new TextDecoder().decode(out.stdout);
    const non2xx = Number(text.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
    const sockets = [...(text.match(/Socket errors: (.*)/)?.[1] ?? "").matchAll(/\d+/g)]
      .reduce((s, m) => s + Number(m[0]), 0);
    return {
      rps: Number(text.match(/Requests\/sec:\s+([\d.]+)/)?.[1] ?? 0),
      p50: ms(text.match(/^\s+50%\s+(\S+)/m)?.[1] ?? ""),
      p99: ms(text.match(/^\s+99%\s+(\S+)/m)?.[1] ?? ""),
      errors: non2xx + sockets,
    };
  } finally {
    await Deno.remove(script);
  }
}
