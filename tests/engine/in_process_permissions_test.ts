// An in-process app (createApp over a generated manifest, memory adapter and telemetry) needs no
// FFI, no subprocess and no writes: nothing native is loaded unless the config names it.
import assert from "node:assert/strict";
import { fromFileUrl } from "./_helpers.ts";

const repo = fromFileUrl(new URL("../../", import.meta.url)).replace(/\/$/, "");
const entry = `${repo}/tests/engine/testdata/serve_in_process.ts`;
const project = `${repo}/examples/hello-ts`;

Deno.test("createApp serves on the memory stores with net, env and reads of its project only", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--unstable-kv",
      "--unstable-cron",
      // Loading modules needs no permission; what the app reads at run time is its project's
      // config and schema (findProject looks at the root itself).
      `--allow-read=${project}`,
      entry,
    ],
    cwd: repo,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const stdout = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    const { value } = await stdout.read();
    const port = Number(value?.trim());
    if (!(port > 0)) assert.fail(`The app did not start:\n${await stderr}`);
    const res = await fetch(`http://127.0.0.1:${port}/hello`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { data: { message: "Hello from Rohas" } });
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await stdout.cancel();
  }
  assert.doesNotMatch(await stderr, /NotCapable|PermissionDenied/);
});
