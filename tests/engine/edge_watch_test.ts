// A subscriber that wants only log entries (the terminal of `rohas start`) gets the edges' logs
// without making them send a message per request: their traces are not streamed to it.
import assert from "node:assert/strict";
import { serveProject } from "../../engine/mod.ts";
import type { TelemetryEvent } from "../../telemetry/mod.ts";
import { copyDir, exampleDir } from "./_server.ts";

Deno.test("edges stream only log entries to a logs-only subscriber, and traces to a full one", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rohas-edge-watch-" });
  await copyDir(exampleDir, dir);
  const served = await serveProject({ path: dir, cwd: dir, mode: "production", port: 0 });
  try {
    assert.ok(served.edges > 0, "the test needs edges");
    const reader = served.telemetry!;
    const logsOnly: TelemetryEvent[] = [];
    const off = reader.subscribe((e) => logsOnly.push(e), { logsOnly: true });
    await reader.watching?.();
    const hello = async () => {
      const res = await fetch(`${served.url}/hello`);
      assert.equal(res.status, 200);
      return res.headers.get("x-rohas-trace-id")!;
    };
    const first = await hello();
    await until(() => logsOnly.some((e) => e.kind === "log" && e.entry.trace_id === first));
    assert.ok(!logsOnly.some((e) => e.kind === "trace" && e.trace.id === first));
    const all: TelemetryEvent[] = [];
    const offAll = reader.subscribe((e) => all.push(e));
    await reader.watching?.();
    const second = await hello();
    await until(() => all.some((e) => e.kind === "trace" && e.trace.id === second));
    offAll();
    off();
  } finally {
    await served.close();
    await Deno.remove(dir, { recursive: true });
  }
});

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("Timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}
