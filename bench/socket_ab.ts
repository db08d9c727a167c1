// deno-lint-ignore-file no-console -- a benchmark script prints its results
/**
 * A/B of the HTTP pipeline over a real socket: one `Deno.serve` process loads the pipeline of two
 * checkouts (and, with `--hand`, POST /bench's work written by hand) and switches between them
 * every 200 ms while `wrk` posts to it; each variant's CPU time (every thread of the process) is
 * summed over its own slices and divided by the requests it answered. Both variants see the same
 * load, the same machine and the same served `Request`s, whose costs (headers read through an op,
 * the body taken in one op) a `Request` built in JavaScript does not have: what
 * `bench/pipeline_ab.ts` cannot show. The pipelines run with the recorder an edge of `rohas start`
 * runs under the default store (`--telemetry`: `forward`, or `disabled`).
 *
 *   deno run -A bench/socket_ab.ts --checkout <dir> [--hand] [--seconds 10] [--rounds 2]
 *   deno run -A bench/socket_ab.ts --hand [--parts] [--seconds 10] [--rounds 2]
 *
 * A is this checkout, B `--checkout` (or this checkout again: an A/A run shows the noise). With
 * `--parts`, the hand-written work is served three more ways, each adding one thing the pipeline
 * does: the request's headers read into a record, `content-type` and `content-length` read alone,
 * and the answer built as the pipeline builds it (its content type in the init, then three
 * `append`s); each is reported against the hand-written work. Each round runs the variants in turn
 * in one order, the next round in the reverse order. Needs `wrk`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import process from "node:process";
import { resolve } from "node:path";
import { machineLine } from "./_machine.ts";
import {
  BENCH_BY_HAND_MODULE,
  BENCH_CHECK_SOURCE,
  median,
  REPO,
  spawnListening,
  wrkPostBench,
} from "./_project.ts";
import { type Handler, load, type TelemetryKind } from "./pipeline_ab.ts";

/** How long each variant serves before the next takes over. */
const SLICE_MS = 200;

/** POST /bench's work by hand, the fair ceiling's module, as a handler. */
async function byHand(): Promise<Handler> {
  const url = `data:application/javascript,${encodeURIComponent(BENCH_BY_HAND_MODULE)}`;
  const { default: server } = await import(url);
  return (request) => server.fetch(request);
}

/** What `--parts` adds to the hand-written work, one thing at a time, by variant name. */
const PARTS = ["hand+record", "hand+two reads", "hand+answer"] as const;
type Part = typeof PARTS[number];

/**
 * The hand-written work with one part of the pipeline added (see {@linkcode PARTS}): the same body
 * check, trace id and CORS headers as {@linkcode BENCH_BY_HAND_MODULE}.
 */
async function handWith(part: Part): Promise<Handler> {
  const source = `${BENCH_CHECK_SOURCE}export { checkBench };`;
  const url = `data:application/javascript,${encodeURIComponent(source)}`;
  const { checkBench } = await import(url) as { checkBench: (b: unknown) => unknown[] };
  const trace = "X-Rohas-Trace-Id";
  return async (request) => {
    const traceId = crypto.randomUUID();
    if (part === "hand+record") {
      const record: Record<string, string> = {};
      request.headers.forEach((value, name) => record[name] = value);
    } else if (part === "hand+two reads") {
      request.headers.get("content-type");
      request.headers.get("content-length");
    }
    const body = await request.json();
    const details = checkBench(body);
    const status = details.length > 0 ? 422 : 200;
    const data = details.length > 0
      ? { error: "Request body does not match", details }
      : { data: { ok: true, name: body.name } };
    if (part !== "hand+answer") {
      const headers = {
        [trace]: traceId,
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Expose-Headers": trace,
      };
      return Response.json(data, { status, headers });
    }
    const response = new Response(JSON.stringify(data), {
      status,
      headers: { "content-type": "application/json" },
    });
    response.headers.append(trace, traceId);
    response.headers.append("access-control-allow-origin", "*");
    response.headers.append("access-control-expose-headers", trace);
    return response;
  };
}

/** The handler a variant's spec names: the hand-written work, one of its parts, or a checkout. */
function variantHandler(spec: string, kind: TelemetryKind): Promise<Handler> {
  if (spec === "hand") return byHand();
  const part = PARTS.find((name) => name === spec);
  return part !== undefined ? handWith(part) : load(spec, kind);
}

/** The CPU and requests of each variant, over the slices it served. */
class Slices {
  readonly cpuUs: number[];
  readonly requests: number[];
  current = 0;
  #count = 0;
  #last = process.cpuUsage();

  constructor(variants: number) {
    this.cpuUs = new Array(variants).fill(0);
    this.requests = new Array(variants).fill(0);
  }

  count(): number {
    this.#count++;
    return this.current;
  }

  /** Charges the slice that ends now to its variant, then hands over to the next. */
  next(): void {
    const now = process.cpuUsage();
    this.cpuUs[this.current]! += now.user - this.#last.user + now.system - this.#last.system;
    this.requests[this.current]! += this.#count;
    this.#last = now;
    this.#count = 0;
    this.current = (this.current + 1) % this.cpuUs.length;
  }

  reset(): void {
    this.cpuUs.fill(0);
    this.requests.fill(0);
  }
}

/** The server child: serves the variants in turn; `/__reset` and `/__report` control it. */
async function serveChild(specs: string[], kind: TelemetryKind): Promise<void> {
  const handlers: Handler[] = [];
  for (const spec of specs) handlers.push(await variantHandler(spec, kind));
  const slices = new Slices(handlers.length);
  setInterval(() => slices.next(), SLICE_MS);
  Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: (addr) => console.log(`listening on http://127.0.0.1:${addr.port}`),
  }, (request, info) => {
    if (request.method === "GET") return control(new URL(request.url).pathname, slices);
    return handlers[slices.count()]!(request, info);
  });
}

function control(path: string, slices: Slices): Response {
  if (path === "/__reset") slices.reset();
  else if (path !== "/__report") return new Response(null, { status: 404 });
  return Response.json({ cpuUs: slices.cpuUs, requests: slices.requests });
}

/** One round: the variants in `specs` order; returns each one's CPU µs per request, in that order. */
async function round(specs: string[], kind: TelemetryKind, seconds: number): Promise<number[]> {
  const args = ["run", "-A", new URL(import.meta.url).pathname, "--serve", "--telemetry", kind];
  const { url, child } = await spawnListening([...args, ...specs]);
  try {
    await wrkPostBench(url, 3);
    await fetch(`${url}/__reset`).then((r) => r.body?.cancel());
    await wrkPostBench(url, seconds);
    const report = await (await fetch(`${url}/__report`)).json();
    return specs.map((_, i) => report.cpuUs[i] / report.requests[i]);
  } finally {
    child.kill("SIGTERM");
    await child.status;
  }
}

function usage(code: number): never {
  console.error(
    "Usage: deno run -A bench/socket_ab.ts [--checkout <dir>] [--hand] [--parts] [--seconds 10]\n" +
      "                                     [--rounds 2] [--telemetry forward|disabled]",
  );
  Deno.exit(code);
}

/** A variant of a run: what it serves and how its rows name it. */
interface Variant {
  spec: string;
  label: string;
}

/** The ratios a run reports, each as `[numerator, denominator]` labels. */
function reportedRatios(variants: readonly Variant[]): [string, string][] {
  const labels = variants.map((v) => v.label);
  const ratios: [string, string][] = [["B", "A"]];
  if (labels.includes("hand")) ratios.push(["A", "hand"]);
  for (const part of PARTS) if (labels.includes(part)) ratios.push([part, "hand"]);
  return ratios;
}

function ratioLine(name: string, values: readonly number[]): string {
  const rounds = values.map((r) => r.toFixed(3)).join(", ");
  return `${name} median x${median([...values]).toFixed(3)} (rounds ${rounds})`;
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      serve: { type: "boolean", default: false },
      checkout: { type: "string" },
      hand: { type: "boolean", default: false },
      parts: { type: "boolean", default: false },
      seconds: { type: "string", default: "10" },
      rounds: { type: "string", default: "2" },
      telemetry: { type: "string", default: "forward" },
      help: { type: "boolean", default: false },
    },
  });
  const kind = values.telemetry as TelemetryKind;
  if (values.help) usage(0);
  if (kind !== "forward" && kind !== "disabled") usage(2);
  if (values.serve) {
    await serveChild(positionals, kind);
  } else {
    const checkout = values.checkout === undefined ? REPO : resolve(values.checkout);
    const variants: Variant[] = [{ spec: REPO, label: "A" }, { spec: checkout, label: "B" }];
    if (values.hand || values.parts) variants.push({ spec: "hand", label: "hand" });
    if (values.parts) variants.push(...PARTS.map((part) => ({ spec: part, label: part })));
    console.log(machineLine());
    console.log(
      `A = ${REPO}, B = ${checkout}${
        values.hand || values.parts ? ", hand = the same work by hand" : ""
      }${values.parts ? ` (${PARTS.join(", ")}: one part of the pipeline added to it)` : ""};` +
        ` telemetry ${kind}; wrk -t2 -c32, slices of ${SLICE_MS} ms`,
    );
    const ratios = reportedRatios(variants);
    const series = ratios.map((): number[] => []);
    for (let i = 0; i < Number(values.rounds); i++) {
      const order = variants.map((_, k) => k);
      if (i % 2 === 1) order.reverse();
      const specs = order.map((k) => variants[k]!.spec);
      const measured = await round(specs, kind, Number(values.seconds));
      const us = new Map<string, number>();
      order.forEach((k, j) => us.set(variants[k]!.label, measured[j]!));
      ratios.forEach(([a, b], r) => series[r]!.push(us.get(a)! / us.get(b)!));
      const cells = variants.map((v) => `${v.label} ${us.get(v.label)!.toFixed(2)}`);
      console.log(`round ${i + 1}: cpu/request ${cells.join(", ")} us`);
    }
    ratios.forEach(([a, b], r) => console.log(ratioLine(`${a}/${b}`, series[r]!)));
    Deno.exit(0);
  }
}
