// The host's loop thread, and the pool threads of sync handlers it starts, run under SCHED_BATCH on
// Linux: waking the loop with a write of calls must not preempt the server's thread (see
// batch_scheduling in _bridge.py).
import { assertEquals } from "./_test_assert.ts";
import type { HandlerRef } from "../contract.ts";
import { createPythonRuntime } from "./mod.ts";

const HANDLERS = `import os
import threading


async def handle_on_loop():
    return [threading.current_thread().name, os.sched_getscheduler(0) == os.SCHED_BATCH]


def handle_on_pool():
    return [threading.current_thread().name[:10], os.sched_getscheduler(0) == os.SCHED_BATCH]
`;

function ref(name: string, file: string): HandlerRef {
  return {
    kind: "api",
    name,
    owner: name,
    language: "python",
    file,
    exports: [],
    profile: "default",
  };
}

Deno.test({
  name: "Python handlers run on threads scheduled as SCHED_BATCH, async and sync alike",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const root = await Deno.makeTempDir();
    try {
      await Deno.mkdir(`${root}/src`);
      const file = `${root}/src/sched.py`;
      await Deno.writeTextFile(file, HANDLERS);
      await using runtime = await createPythonRuntime({ root });
      const outputs = [];
      for (const name of ["OnLoop", "OnPool"]) {
        const input = { kind: "api", request: {} } as const;
        const result = await runtime.invoke({
          handler: ref(name, file),
          input,
          traceId: "t",
          timeoutMs: 10_000,
        });
        if (!result.ok) throw new Error(result.error.message);
        outputs.push(result.output.kind === "json" ? result.output.value : null);
      }
      assertEquals(outputs, [["rohas-python-loop", true], ["rohas-sync", true]]);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
