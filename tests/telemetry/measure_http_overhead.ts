// Measures what telemetry costs an HTTP request end to end: the example app (in-process runtime,
// memory adapter) serving GET /hello under 32 concurrent loopback clients, with telemetry off
// (the engine's no-op) and with the recorder over RocksDB, alternated in rounds.
//   deno run -A tests/telemetry/measure_http_overhead.ts [seconds per round, default 3]
import { assemble } from "../../engine/mod.ts";
import { createTelemetry } from "../../telemetry/mod.ts";
import type { Telemetry } from "../../telemetry/mod.ts";
import { manifest } from "../../examples/hello-ts/src/generated/manifest.ts";
import { ROOT } from "../workbench/_app.ts";
import { telemetrySection } from "./_section.ts";

const seconds = Number(Deno.args[0] ?? 3);

async function round(telemetry: Telemetry | undefined): Promise<number> {
  const { engine } = await assemble({
    project: { kind: "root", root: ROOT },
    mode: "production",
    runtime: { kind: "manifest", manifest },
    events: { kind: "config" },
    telemetry: telemetry ? { kind: "given", telemetry } : { kind: "off" },
    cron: false,
  });
  const ready = Promise.withResolvers<Deno.NetAddr>();
  engine.serve({ hostname: "127.0.0.1", port: 0, onListen: (a) => ready.resolve(a) });
  const url = `http://127.0.0.1:${(await ready.promise).port}/hello`;
  let done = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (performance.now() < until) {
      await (await fetch(url)).arrayBuffer();
      done++;
    }
  }));
  await engine.close();
  return done / seconds;
}

const off: number[] = [];
const on: number[] = [];
for (let i = 0; i < 3; i++) {
  off.push(await round(undefined));
  const dir = await Deno.makeTempDir({ prefix: "rohas_overhead_" });
  const telemetry = await createTelemetry(telemetrySection("rocksdb", { path: dir }), {
    root: dir,
  });
  on.push(await round(telemetry));
  await Deno.remove(dir, { recursive: true });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const result = {
  telemetry_off_rps: Math.round(median(off)),
  telemetry_rocksdb_rps: Math.round(median(on)),
  ratio: Math.round(median(on) / median(off) * 1000) / 1000,
};
// This is a measurement script, run by hand; printing its result is its job.
// deno-lint-ignore no-console
console.log(JSON.stringify(result));
