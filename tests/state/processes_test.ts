import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { openState } from "../../state/mod.ts";
import type { StateSection } from "../../project/mod.ts";

const CHILD = new URL("./_increment_child.ts", import.meta.url).pathname;
const PER_PROCESS = 150;

async function incrementFromTwoProcesses(section: StateSection): Promise<void> {
  const namespace = `p${crypto.randomUUID().slice(0, 8)}`;
  const run = () =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--unstable-kv",
        CHILD,
        JSON.stringify(section),
        namespace,
        String(PER_PROCESS),
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
  const outputs = await Promise.all([run(), run()]);
  for (const output of outputs) {
    assertEquals(output.code, 0, new TextDecoder().decode(output.stderr));
  }
  const kv = await openState(section, { root: ".", namespace });
  try {
    assertEquals((await kv.get(["counter"])).value, PER_PROCESS * 2);
  } finally {
    await kv.close();
  }
}

Deno.test("two processes incrementing one denokv file with check-and-set lose no increment", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rohas-state-procs-" });
  try {
    await incrementFromTwoProcesses({ type: "denokv", path: `${dir}/state.kv`, url: "" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("two processes incrementing one NATS bucket with check-and-set lose no increment", async () => {
  const url = Deno.env.get("ROHAS_TEST_NATS_URL") ?? "nats://127.0.0.1:14222";
  await incrementFromTwoProcesses({ type: "nats", path: "", url });
});

Deno.test("two processes incrementing one PostgreSQL table with check-and-set lose no increment", async () => {
  const url = Deno.env.get("ROHAS_TEST_PG_URL") ?? "postgres://postgres@127.0.0.1:55432/postgres";
  await incrementFromTwoProcesses({ type: "postgres", path: "", url });
});
