import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { openState } from "../../state/mod.ts";
import type { StateSection } from "../../project/mod.ts";

const CHILD = new URL("./_increment_child.ts", import.meta.url).pathname;
const PER_PROCESS = 150;

async function incrementFromProcesses(
  section: StateSection,
  { processes = 2, each = PER_PROCESS } = {},
): Promise<void> {
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
        String(each),
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
  const outputs = await Promise.all(Array.from({ length: processes }, run));
  for (const output of outputs) {
    assertEquals(output.code, 0, new TextDecoder().decode(output.stderr));
  }
  const kv = await openState(section, { root: ".", namespace });
  try {
    assertEquals((await kv.get(["counter"])).value, each * processes);
  } finally {
    await kv.close();
  }
}

Deno.test("two processes incrementing one denokv file with check-and-set lose no increment", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rohas-state-procs-" });
  try {
    await incrementFromProcesses({ type: "denokv", path: `${dir}/state.kv`, url: "" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("six processes opening one new denokv file at once all open it", async () => {
  // SQLite answers a second process opening a new KV file while the first sets it up "database is
  // locked" (a plain Error from Deno.openKv): each open waits for the lock instead of failing.
  const dir = await Deno.makeTempDir({ prefix: "rohas-state-opens-" });
  try {
    await incrementFromProcesses({ type: "denokv", path: `${dir}/state.kv`, url: "" }, {
      processes: 6,
      each: 1,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("two processes incrementing one NATS bucket with check-and-set lose no increment", async () => {
  const url = Deno.env.get("ROHAS_TEST_NATS_URL") ?? "nats://127.0.0.1:14222";
  await incrementFromProcesses({ type: "nats", path: "", url });
});

Deno.test("two processes incrementing one PostgreSQL table with check-and-set lose no increment", async () => {
  const url = Deno.env.get("ROHAS_TEST_PG_URL") ?? "postgres://postgres@127.0.0.1:55432/postgres";
  await incrementFromProcesses({ type: "postgres", path: "", url });
});
