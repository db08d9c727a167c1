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
 *   deno run -A bench/socket_ab.ts --hand [--seconds 10] [--rounds 2]
 *
 * A is this checkout, B `--checkout` (or this checkout again: an A/A run shows the noise). Each
 * round runs the variants in turn in one order, the next round in the reverse order. Needs `wrk`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import process from "node:process";
import { resolve } from "node:path";
import { machineLine } from "./_machine.ts";
import { BENCH_BY_HAND_MODULE, median, REPO, spawnListening, wrkPostBench } from "./_project.ts";
import { type Handler, load, type TelemetryKind } from "./pipeline_ab.ts";

/** How long each variant serves before the next takes over. */
const SLICE_MS = 200;

/** POST /bench's work by hand, the fair ceiling's module, as a handler. */
async function byHand(): Promise<Handler> {
  const url = `data:application/javascript,${encodeURIComponent(BENCH_BY_HAND_MODULE)}`;
  const { default: server } = await import(url);
  return (request) => server.fetch(request);
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
  for (const spec of specs) {
    handlers.push(spec === "hand" ? await byHand() : await load(spec, kind));
  }
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
    "Usage: deno run -A bench/socket_ab.ts [--checkout <dir>] [--hand] [--seconds 10] [--rounds 2]\n" +
      "                                     [--telemetry forward|disabled]",
  );
  Deno.exit(code);
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      serve: { type: "boolean", default: false },
      checkout: { type: "string" },
      hand: { type: "boolean", default: false },
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
    const variants = [REPO, values.checkout === undefined ? REPO : resolve(values.checkout)];
    if (values.hand) variants.push("hand");
    console.log(machineLine());
    console.log(
      `A = ${variants[0]}, B = ${variants[1]}${
        values.hand ? ", hand = the same work by hand" : ""
      };` +
        ` telemetry ${kind}; wrk -t2 -c32, slices of ${SLICE_MS} ms`,
    );
    const ratios: number[] = [];
    const handRatios: number[] = [];
    for (let i = 0; i < Number(values.rounds); i++) {
      const order = variants.map((_, k) => k);
      if (i % 2 === 1) order.reverse();
      const measured = await round(order.map((k) => variants[k]!), kind, Number(values.seconds));
      const us = new Array<number>(variants.length);
      order.forEach((k, j) => us[k] = measured[j]!);
      ratios.push(us[1]! / us[0]!);
      const cells = [`A ${us[0]!.toFixed(2)}`, `B ${us[1]!.toFixed(2)}`];
      if (values.hand) {
        cells.push(`hand ${us[2]!.toFixed(2)}`);
        handRatios.push(us[0]! / us[2]!);
      }
      console.log(
        `round ${i + 1}: cpu/request ${cells.join(", ")} us; B/A x${ratios.at(-1)!.toFixed(3)}`,
      );
    }
    console.log(
      `B/A median x${median(ratios).toFixed(3)} (rounds ${
        ratios.map((r) => r.toFixed(3)).join(", ")
      })`,
    );
    if (values.hand) {
      console.log(
        `A/hand median x${median(handRatios).toFixed(3)} (rounds ${
          handRatios.map((r) => r.toFixed(3)).join(", ")
        })`,
      );
    }
    Deno.exit(0);
  }
}
