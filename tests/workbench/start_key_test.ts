// `rohas start --workbench` without a key: refused at startup with how to set one, instead of a
// workbench that answers 401 to everything.
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { fromFileUrl } from "../engine/_helpers.ts";
import { copyDir, exampleDir, startServer } from "../engine/_server.ts";

const cli = fromFileUrl(new URL("../../cli.ts", import.meta.url));

Deno.test("rohas start --workbench without an API key refuses to start and says how to set one", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rohas-wb-key-" });
  try {
    await copyDir(exampleDir, dir);
    const env: Record<string, string> = { ...Deno.env.toObject(), NO_COLOR: "1" };
    delete env.ROHAS_WORKBENCH_API_KEY;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", cli, "start", "--workbench", "--port", "0", dir],
      env,
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // Before the fix it listened and never exited: give up after 60 s rather than hang.
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    const out = await child.output();
    clearTimeout(timer);
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 1, stdout + stderr);
    assert(!stdout.includes("listening"), stdout);
    assert(stderr.includes("[workbench] api_key"), stderr);
    assert(stderr.includes("ROHAS_WORKBENCH_API_KEY"), stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rohas start --workbench serves the workbench with the key from the environment", async () => {
  await using server = await startServer({
    command: "start",
    args: ["--workbench"],
    env: { ROHAS_WORKBENCH_API_KEY: "env-key-123" },
  });
  const denied = await fetch(`${server.url}/api/workbench/endpoints`);
  await denied.body?.cancel();
  assertEquals(denied.status, 401);
  const ok = await fetch(`${server.url}/api/workbench/endpoints`, {
    headers: { "x-api-key": "env-key-123" },
  });
  await ok.body?.cancel();
  assertEquals(ok.status, 200);
});
