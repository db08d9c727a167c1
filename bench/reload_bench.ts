// deno-lint-ignore-file no-console -- a benchmark script prints its results
/**
 * Hot reload and start-up benchmark (docs/design.md#measured-targets: a handler edit serves new
 * code in under 200 ms; start-up of a 100-endpoint project under 1 s), measured side by side in one
 * run:
 *
 * 1. Hot reload under `rohas dev`: time from a file write to the new code answering over HTTP (the
 *    client polls), repeated; median and p90. The watcher's debounce is included. Two edits: the
 *    handler file itself (its module is swapped in its Workers), and a module the handler imports
 *    (`src/lib/`, shared by three handlers: their Workers are replaced by fresh ones).
 * 2. Start-up: process start to the first 200 of a generated 100-endpoint project under
 *    `rohas start` (and `rohas dev --no-watch`, which also runs codegen), next to a bare
 *    `deno run` hello-world `Deno.serve` in the same run; medians and the ratio.
 *
 *   deno run -A bench/reload_bench.ts [--edits 10] [--starts 5] [--endpoints 100] [--reload-only]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { join } from "node:path";
import { benchConfig, CLI, percentile, startServer, wallMs, writeProject } from "./_project.ts";
import { machineLine } from "./_machine.ts";
import { freePort } from "../testing/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    edits: { type: "string", default: "10" },
    starts: { type: "string", default: "5" },
    endpoints: { type: "string", default: "100" },
    "reload-only": { type: "boolean", default: false },
  },
});
const EDITS = Number(values.edits);
const STARTS = Number(values.starts);
const ENDPOINTS = Number(values.endpoints);
const TARGET_RELOAD_MS = 200;
const TARGET_START_MS = 1000;

const HELLO = (version: number) =>
  `export function handleHello() {
  return { data: { version: ${version} } };
}
`;

async function versionAt(url: string): Promise<number | null> {
  try {
    const response = await fetch(url);
    if (response.status !== 200) {
      await response.body?.cancel();
      return null;
    }
    return ((await response.json()) as { data: { version: number } }).data.version;
  } catch {
    return null;
  }
}

/** Polls until the endpoint answers `version`; returns the milliseconds since `since`. */
async function until(url: string, version: number, since: number): Promise<number> {
  const deadline = since + 30_000;
  while ((await versionAt(url)) !== version) {
    if (wallMs() > deadline) throw new Error(`Version ${version} never answered at ${url}`);
  }
  return wallMs() - since;
}

const SHARED = (version: number) => `export const version = ${version};\n`;

const FROM_SHARED = (name: string) =>
  `import { version } from "../../lib/shared.ts";
export function handle${name}() {
  return { data: { version } };
}
`;

/** Which file an edit writes, and its text at each version. */
interface EditCase {
  file: string;
  text: (version: number) => string;
}

async function hotReload(): Promise<{ handler: number[]; shared: number[] }> {
  const apis = ["Hello", "Other", "Third"].map((name) =>
    `api ${name} {\n  method: GET\n  path: "/${name.toLowerCase()}"\n  response: Json\n}\n`
  );
  const root = await writeProject({
    "config/rohas.toml": benchConfig("reload-bench"),
    "schema/app.ro": apis.join("\n"),
    "src/handlers/api/hello.ts": HELLO(0),
    "src/handlers/api/other.ts": FROM_SHARED("Other"),
    "src/handlers/api/third.ts": FROM_SHARED("Third"),
    "src/lib/shared.ts": SHARED(0),
  }, "rohas-reload-bench-");
  try {
    await using server = await startServer(["run", "-A", CLI, "dev", "--port", "0", root]);
    await until(`${server.url}/hello`, 0, wallMs());
    await until(`${server.url}/third`, 0, wallMs());
    const handler = { file: join(root, "src/handlers/api/hello.ts"), text: HELLO };
    const shared = { file: join(root, "src/lib/shared.ts"), text: SHARED };
    return {
      handler: await edits(server, `${server.url}/hello`, handler),
      shared: await edits(server, `${server.url}/other`, shared),
    };
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

async function edits(
  server: Awaited<ReturnType<typeof startServer>>,
  url: string,
  edit: EditCase,
): Promise<number[]> {
  const times: number[] = [];
  for (let version = 1; version <= EDITS + 1; version++) {
    const since = wallMs();
    await Deno.writeTextFile(edit.file, edit.text(version));
    const ms = await until(url, version, since);
    if (version > 1) times.push(ms); // the first edit warms the watcher and reload path
    await server.nextLine(/Reloaded|Reload failed/, 10_000);
  }
  return times;
}

function hundredEndpoints(): Record<string, string> {
  const files: Record<string, string> = {
    "config/rohas.toml": benchConfig("startup-bench"),
  };
  const apis: string[] = [];
  for (let i = 0; i < ENDPOINTS; i++) {
    apis.push(`api Get${i} {\n  method: GET\n  path: "/r${i}/{id}"\n  response: Json\n}\n`);
    files[`src/handlers/api/get${i}.ts`] =
      `export function handleGet${i}(req: { id: string }) {\n  return { data: { n: ${i}, id: req.id } };\n}\n`;
  }
  files["schema/api.ro"] = apis.join("\n");
  return files;
}

/** Spawns `deno <args>` and polls `path` until it answers 200; returns ms since spawn. */
async function startToFirst200(args: (port: number) => string[], path: string): Promise<number> {
  const port = freePort();
  const started = wallMs();
  const child = new Deno.Command(Deno.execPath(), {
    args: args(port),
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  try {
    const url = `http://127.0.0.1:${port}${path}`;
    while (true) {
      const ok = await fetch(url).then(async (r) => {
        await r.body?.cancel();
        return r.status === 200;
      }, () => false);
      if (ok) return wallMs() - started;
      if (wallMs() - started > 60_000) throw new Error(`No 200 from ${url} within 60 s`);
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    child.kill("SIGTERM");
    await child.status;
  }
}

async function startUp(): Promise<[string, number[]][]> {
  const root = await writeProject(hundredEndpoints(), "rohas-startup-bench-");
  const bare = join(root, "bare.ts");
  await Deno.writeTextFile(
    bare,
    `const port = Number(Deno.args[0]);\nDeno.serve({ hostname: "127.0.0.1", port, onListen() {} }, () => Response.json({ message: "Hello, world" }));\n`,
  );
  const last = `/r${ENDPOINTS - 1}/7`;
  const variants: [string, (port: number) => string[], string][] = [
    ["bare deno run hello world (Deno.serve)", (p) => ["run", "-A", bare, String(p)], "/"],
    [
      `rohas start, ${ENDPOINTS} endpoints`,
      (p) => ["run", "-A", CLI, "start", "--port", String(p), root],
      last,
    ],
    [
      `rohas dev --no-watch, ${ENDPOINTS} endpoints (codegen too)`,
      (p) => ["run", "-A", CLI, "dev", "--no-watch", "--port", String(p), root],
      last,
    ],
  ];
  try {
    for (const [, args, path] of variants) await startToFirst200(args, path); // warm caches
    const samples = variants.map((): number[] => []);
    for (let round = 0; round < STARTS; round++) {
      for (const [index, [, args, path]] of variants.entries()) {
        samples[index]!.push(await startToFirst200(args, path));
      }
    }
    return variants.map(([name], index) => [name, samples[index]!]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

function row(label: string, values: number[]): string {
  return `  ${label.padEnd(54)} median ${percentile(values, 50).toFixed(0).padStart(5)} ms  p90 ${
    percentile(values, 90).toFixed(0).padStart(5)
  } ms  (n=${values.length})`;
}

if (import.meta.main) {
  console.log(machineLine());
  const reload = await hotReload();
  const reloadMedian = percentile(reload.handler, 50);
  const sharedMedian = percentile(reload.shared, 50);
  console.log(`hot reload under rohas dev: file write -> new code answering over HTTP`);
  console.log(row("handler edit (watcher debounce included)", reload.handler));
  console.log(row("shared module edit, 2 handlers import it", reload.shared));
  console.log(
    `target: edit served in < ${TARGET_RELOAD_MS} ms: handler ${
      reloadMedian < TARGET_RELOAD_MS ? "met" : "not met"
    } (median ${reloadMedian.toFixed(0)} ms), shared module ${
      sharedMedian < TARGET_RELOAD_MS ? "met" : "not met"
    } (median ${sharedMedian.toFixed(0)} ms)`,
  );
  if (!values["reload-only"]) {
    const starts = await startUp();
    const bare = percentile(starts[0]![1], 50);
    const rohas = percentile(starts[1]![1], 50);
    console.log(
      `  ratio hot reload median / bare deno run start-up median: ${
        (reloadMedian / bare).toFixed(2)
      }x`,
    );
    console.log(`start-up: process start -> first 200, interleaved rounds`);
    for (const [name, values] of starts) console.log(row(name, values));
    console.log(`  ratio rohas start / bare deno run: ${(rohas / bare).toFixed(2)}x`);
    console.log(
      `target: ${ENDPOINTS}-endpoint start-up < ${TARGET_START_MS} ms: ${
        rohas < TARGET_START_MS ? "met" : "not met"
      } (median ${rohas.toFixed(0)} ms)`,
    );
  }
}
