/**
 * Run by `_backoff_test.ts` in a process of its own, so that the only children it counts are the
 * hosts of its one runtime: crashes the host twice (the second start then waits 300 ms), closes the
 * runtime during that wait and watches for 1.5 s whether a host starts anyway. Prints one JSON line:
 * how long close() took and the pids of hosts that appeared after it.
 *
 * @module
 */

import { createPythonRuntime } from "../mod.ts";
import type { Invocation } from "../../contract.ts";

const root = new URL("./project", import.meta.url).pathname;
const segfault: Invocation = {
  handler: {
    kind: "api",
    name: "Segfault",
    owner: "Segfault",
    language: "python",
    file: `${root}/src/handlers/api/segfault.py`,
    exports: [],
    profile: "default",
  },
  input: { kind: "api", request: { queryParams: {}, headers: {} } },
  traceId: "trace-1",
  timeoutMs: 20_000,
};

/** This process's running children (read from /proc; an unreaped crashed host is not one). */
function children(): number[] {
  const found: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const [state, parent] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(parent) === Deno.pid && state !== "Z") found.push(Number(entry.name));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return found;
}

const delays: number[] = [];
const runtime = await createPythonRuntime({
  root,
  restartBackoff: { firstDelayMs: 300 },
  onRestart: (restart) => delays.push(restart.delayMs),
});
await runtime.invoke(segfault);
await runtime.invoke(segfault);
const before = new Set(children());
const started = performance.now();
await runtime.close();
const closeMs = performance.now() - started;
const appeared = new Set<number>();
while (performance.now() - started < 1_500) {
  for (const pid of children()) if (!before.has(pid)) appeared.add(pid);
  await new Promise((resolve) => setTimeout(resolve, 10));
}
const line = JSON.stringify({ delays, closeMs, appeared: [...appeared] });
await Deno.stdout.write(new TextEncoder().encode(`${line}\n`));
