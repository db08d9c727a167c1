/**
 * The events benchmarks' project (bench/events_bench.ts, bench/events_by_thread.ts): APIs `Emit`
 * (its schema `triggers: [Ping]`), `Plain` and `Burst` (its handler calls `state.triggerEvent`
 * `n` times), events `Ping` (ordered, the default) and `PingAnyOrder` (`ordered: false`), whose
 * handlers report each start to the benchmark's {@linkcode Collector}.
 *
 * @module
 */

import { benchConfig, writeProject } from "./_project.ts";
import type { Collector } from "./_collector.ts";

const SCHEMA = `event Ping {
  payload: Json
  handler: [record_ping]
}

event PingAnyOrder {
  payload: Json
  handler: [record_any_order]
  on record_any_order { ordered: false }
}

api Emit {
  method: POST
  path: "/emit"
  body: Json
  response: Json
  triggers: [Ping]
}

api Plain {
  method: POST
  path: "/plain"
  body: Json
  response: Json
}

api Burst {
  method: POST
  path: "/burst"
  body: Json
  response: Json
}
`;

const ECHO = (name: string) =>
  `export function handle${name}(req: { body: unknown }) {
  return { data: req.body };
}
`;

const BURST_HANDLER = `export function handleBurst(
  req: { body: { n: number; t: number; phase: string; event: string } },
  state: { triggerEvent(event: string, payload: unknown): void },
) {
  const { n, t, phase, event } = req.body;
  for (let i = 0; i < n; i++) state.triggerEvent(event, { t, phase });
  return { data: { n } };
}
`;

/**
 * The event handler sends "<phase> <start wall ms> <start - send ms>" per event over one TCP
 * connection to the benchmark's collector: the benchmark learns of each handler start at once,
 * without polling a file, and the handler needs no permission but `net` (on by default). Lines
 * written while a write is under way go out together with the next write, so the recording costs
 * the handler a string append rather than a syscall per event.
 */
const RECORD = (port: number, name: string) =>
  `const conn = await Deno.connect({ hostname: "127.0.0.1", port: ${port} });
const encoder = new TextEncoder();
let pending = "";
let writing = false;

async function flush() {
  writing = true;
  while (pending !== "") {
    const bytes = encoder.encode(pending);
    pending = "";
    for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
  }
  writing = false;
}

export function handle${name}(event: { payload: { t: number; phase: string } }) {
  const now = performance.timeOrigin + performance.now();
  pending += event.payload.phase + " " + now + " " + (now - event.payload.t) + "\\n";
  if (!writing) flush();
}
`;

/** The embedded adapters the events benchmark runs `rohas start` on (no broker needed). */
export const EVENTS_ADAPTERS = ["memory", "rocksdb", "denokv"] as const;

/** One of {@linkcode EVENTS_ADAPTERS}. */
export type EventsAdapter = typeof EVENTS_ADAPTERS[number];

/**
 * Writes the project below a new temporary directory.
 *
 * @param collectorPort the port of the {@linkcode Collector} the event handlers report to
 * @param adapter the `[adapter]` type (default `memory`, the targets' adapter)
 * @returns the project's directory
 */
export function writeEventsProject(
  collectorPort: Collector["port"],
  adapter: EventsAdapter = "memory",
): Promise<string> {
  const config = benchConfig("events-bench").replace(
    '[adapter]\ntype = "memory"',
    `[adapter]\ntype = "${adapter}"`,
  );
  return writeProject({
    "config/rohas.toml": config,
    "schema/app.ro": SCHEMA,
    "src/handlers/api/emit.ts": ECHO("Emit"),
    "src/handlers/api/plain.ts": ECHO("Plain"),
    "src/handlers/api/burst.ts": BURST_HANDLER,
    "src/handlers/events/record_ping.ts": RECORD(collectorPort, "RecordPing"),
    "src/handlers/events/record_any_order.ts": RECORD(collectorPort, "RecordAnyOrder"),
  }, "rohas-events-bench-");
}
