// deno-lint-ignore-file no-console -- a benchmark script prints its results
/**
 * Soak (docs/design.md#reliability-targets): find the peak requests/s of a TS handler through the
 * whole pipeline with `wrk`, then hold 80% of it for a minute with `hey -q` (Debian `hey`; an
 * in-Deno generator when it is missing), counting errors and sampling the server's RSS (start, end,
 * max; edge processes included).
 *
 * Usage: deno run -A bench/soak.ts [--seconds 60] [--fraction 0.8]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { spawnListening } from "./_project.ts";

const repo = fileURLToPath(new URL("../", import.meta.url)).replace(/\/$/, "");

function startServer(): Promise<{ url: string; child: Deno.ChildProcess }> {
  return spawnListening([
    "run",
    "-A",
    "cli.ts",
    "start",
    "--port",
    "0",
    `${repo}/examples/hello-ts`,
  ]);
}

/** The resident set of a process tree's main process, in MiB (Linux). */
async function rssMiB(pid: number): Promise<number> {
  // `rohas start` serves from edge processes: their memory counts too.
  let total = await ownRssMiB(pid);
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const stat = await Deno.readTextFile(`/proc/${entry.name}/stat`).catch(() => "");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid === pid) total += await ownRssMiB(Number(entry.name)).catch(() => 0);
  }
  return total;
}

async function ownRssMiB(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) / 1024;
}

async function peak(url: string): Promise<number> {
  const out = await new Deno.Command("wrk", {
    args: ["-t2", "-c32", "-d5s", `${url}/hello`],
    stdout: "piped",
  }).output();
  return Number(new TextDecoder().decode(out.stdout).match(/Requests\/sec:\s+([\d.]+)/)?.[1] ?? 0);
}

/** Holds the rate with `hey` (Debian package), sampling RSS while it runs. */
async function holdWithHey(url: string, rate: number, seconds: number, pid: number) {
  const workers = 64;
  const samples: number[] = [await rssMiB(pid)];
  const child = new Deno.Command("hey", {
    args: [
      "-z",
      `${seconds}s`,
      "-c",
      String(workers),
      "-q",
      String(Math.max(1, rate / workers)),
      `${url}/hello`,
    ],
    stdout: "piped",
  }).spawn();
  const output = new Response(child.stdout).text();
  const done = child.status;
  let finished = false;
  done.then(() => finished = true);
  while (!finished) {
    await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
    if (!finished) samples.push(await rssMiB(pid));
  }
  samples.push(await rssMiB(pid));
  const text = await output;
  const ok = Number(text.match(/\[200\]\s+(\d+) responses/)?.[1] ?? 0);
  const statuses = [...text.matchAll(/\[(\d+)\]\s+(\d+) responses/g)];
  const non200 = statuses.filter((m) => m[1] !== "200").reduce((n, m) => n + Number(m[2]), 0);
  const errors = [...(text.split("Error distribution:")[1] ?? "").matchAll(/\[(\d+)\]/g)]
    .reduce((n, m) => n + Number(m[1]), 0);
  const achieved = Number(text.match(/Requests\/sec:\s+([\d.]+)/)?.[1] ?? 0);
  return { sent: ok + non200 + errors, ok, errors: non200 + errors, achieved, samples };
}

async function hasHey(): Promise<boolean> {
  try {
    await new Deno.Command("hey", { stdout: "null", stderr: "null" }).output();
    return true;
  } catch {
    return false;
  }
}

async function hold(url: string, rate: number, seconds: number, pid: number) {
  let sent = 0, ok = 0, errors = 0;
  const inflight = new Set<Promise<void>>();
  const samples: number[] = [await rssMiB(pid)];
  const started = performance.now();
  const perTick = rate / 100;
  let owed = 0;
  let nextSample = started + 5000;
  while (performance.now() - started < seconds * 1000) {
    owed += perTick;
    for (; owed >= 1; owed--) {
      sent++;
      const p: Promise<void> = fetch(`${url}/hello`).then(async (r) => {
        await r.body?.cancel();
        if (r.status === 200) ok++;
        else errors++;
      }, () => void errors++).finally(() => inflight.delete(p));
      inflight.add(p);
    }
    if (performance.now() >= nextSample) {
      samples.push(await rssMiB(pid));
      nextSample += 5000;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  await Promise.all(inflight);
  samples.push(await rssMiB(pid));
  const elapsed = (performance.now() - started) / 1000;
  return { sent, ok, errors, achieved: ok / elapsed, samples };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      seconds: { type: "string", default: "60" },
      fraction: { type: "string", default: "0.8" },
    },
  });
  const server = await startServer();
  try {
    const top = await peak(server.url);
    const rate = Math.round(top * Number(values.fraction));
    console.log(`peak ${top.toFixed(0)} req/s (wrk -t2 -c32 -d5s); holding ${rate} req/s`);
    const heyAvailable = await hasHey();
    console.log(`load generator: ${heyAvailable ? "hey" : "in-Deno fetch loop (install hey)"}`);
    const r = heyAvailable
      ? await holdWithHey(server.url, rate, Number(values.seconds), server.child.pid)
      : await hold(server.url, rate, Number(values.seconds), server.child.pid);
    const [first, last] = [r.samples[0]!, r.samples.at(-1)!];
    console.log(
      `sent ${r.sent}, ok ${r.ok}, errors ${r.errors}, achieved ${r.achieved.toFixed(0)} req/s`,
    );
    console.log(
      `server RSS start ${first.toFixed(1)} MiB, end ${last.toFixed(1)} MiB, max ${
        Math.max(...r.samples).toFixed(1)
      } MiB`,
    );
    console.log(`RSS every 5 s: ${r.samples.map((s) => s.toFixed(0)).join(" ")}`);
  } finally {
    server.child.kill("SIGTERM");
    await server.child.status;
  }
}
