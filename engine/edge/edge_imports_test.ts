import { ok as assert } from "node:assert/strict";
import { fileURLToPath } from "node:url";

interface InfoModule {
  specifier: string;
  dependencies?: { code?: { specifier?: string }; isDynamic?: boolean }[];
}

/** The modules an entry loads before any code runs: its static imports, not type-only ones. */
async function staticGraph(entry: string): Promise<Set<string>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", fileURLToPath(new URL(entry, import.meta.url))],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert(out.success, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout));
  const modules = new Map<string, InfoModule>(
    info.modules.map((m: InfoModule) => [m.specifier, m]),
  );
  const seen = new Set<string>();
  const stack: string[] = [...info.roots];
  while (stack.length > 0) {
    const specifier = stack.pop()!;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dep of modules.get(specifier)?.dependencies ?? []) {
      if (!dep.isDynamic && dep.code?.specifier) stack.push(dep.code.specifier);
    }
  }
  return seen;
}

// Each edge is a process of its own: what its graph loads, every edge holds (bench/memory_bench.ts).
Deno.test("an edge loads neither node:process nor the OpenTelemetry API before it needs them", async () => {
  const graph = [...await staticGraph("./edge_main.ts")];
  // node:process alone costs a process about 1.7 MiB resident; Deno.cpuUsage reads the same.
  assert(!graph.includes("node:process"), "node:process is imported statically");
  // Imported only when a tracer provider is registered (OTEL_DENO=true): openOtelBridge.
  const otel = graph.filter((s) => s.startsWith("npm:@opentelemetry/"));
  assert(otel.length === 0, `imported statically: ${otel.join(", ")}`);
});

Deno.test("an edge loads no npm package, nor the parser, codegen, the project loader or the cron scheduler", async () => {
  const graph = [...await staticGraph("./edge_main.ts")];
  // The first npm package a process loads brings Deno's npm support (croner and smol-toml came
  // through the parser's and the project loader's doors); the edge is given a prepared schema.
  const npm = graph.filter((s) => s.startsWith("npm:"));
  assert(npm.length === 0, `imported statically: ${npm.join(", ")}`);
  const doors = ["parser/mod.ts", "codegen/mod.ts", "project/mod.ts", "engine/cron/mod.ts"];
  const found = doors.filter((door) => graph.some((s) => s.endsWith(`/${door}`)));
  assert(found.length === 0, `imported statically: ${found.join(", ")}`);
});
