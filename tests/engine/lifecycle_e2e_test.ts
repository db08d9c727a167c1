// Start-up refusal, hostnames, SIGTERM drain and cron without overlap, on real processes.
import assert from "node:assert/strict";
import { fromFileUrl } from "./_helpers.ts";
import { copyDir, eventually, startServer, stats } from "./_server.ts";
import { rohas } from "../../testing/mod.ts";

Deno.test("SIGTERM drains the in-flight request, then the process exits 0", async () => {
  await using server = await startServer();
  const slow = fetch(`${server.url}/slow?ms=800&tag=drain`);
  await eventually(async () => (await stats(server.url))["slow:started:drain"], "slow started");
  const status = await server.stop("SIGTERM");
  const res = await slow;
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { data: { slept: 800 } });
  assert.equal(status.code, 0);
  assert.match(server.output(), /Stopped/);
});

Deno.test("SIGINT stops the server cleanly with exit code 0", async () => {
  await using server = await startServer();
  const status = await server.stop("SIGINT");
  assert.equal(status.code, 0);
  assert.match(server.output(), /Stopped/);
});

Deno.test("a hostname such as localhost works for [server] host", async () => {
  await using server = await startServer({
    prepare: async (dir) => {
      const file = `${dir}/config/rohas.toml`;
      const text = await Deno.readTextFile(file);
      await Deno.writeTextFile(file, text.replace('host = "127.0.0.1"', 'host = "localhost"'));
    },
  });
  const res = await fetch(`http://127.0.0.1:${server.port}/hello`);
  assert.equal(res.status, 200);
  await res.body?.cancel();
});

Deno.test("rohas dev refuses a broken schema, printing file:line:col and a caret", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await copyDir(fromFileUrl(new URL("../../examples/hello-ts", import.meta.url)), dir);
    await Deno.writeTextFile(`${dir}/schema/broken.ro`, "api Broken {\n  method: FETCH\n}\n");
    const out = await rohas(["dev", "--no-watch", "--port", "0", dir], { cwd: dir, process: true });
    assert.equal(out.code, 1);
    assert.match(out.stderr, /schema\/broken\.ro:2:\d+: error/);
    assert.match(out.stderr, /\n\s+\|\s+\^+/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rohas start refuses a missing handler file, listing the files tried", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await copyDir(fromFileUrl(new URL("../../examples/hello-ts", import.meta.url)), dir);
    await Deno.remove(`${dir}/src/handlers/api/hello.ts`);
    const out = await rohas(["start", "--port", "0", dir], { cwd: dir, process: true });
    assert.equal(out.code, 1);
    assert.match(out.stderr, /api "Hello" of "Hello": tried "src\/handlers\/api\/hello\.ts"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a cron job longer than its interval never overlaps: the next runs are skipped", async () => {
  const dir = await Deno.makeTempDir();
  const app = fromFileUrl(new URL("./testdata/cron_app", import.meta.url));
  await copyDir(app, dir);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      fromFileUrl(new URL("../../cli.ts", import.meta.url)),
      "dev",
      "--no-watch",
      "--port",
      "0",
      dir,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const reading = (async () => {
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) text += chunk;
  })();
  const errors = new Response(child.stderr).text();
  try {
    await eventually(
      () =>
        Promise.resolve((text.match(/"SlowTick" skipped/g)?.length ?? 0) >= 2 ? true : undefined),
      "two skipped runs",
      15_000,
    );
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await reading;
    const stderr = await errors;
    await Deno.remove(dir, { recursive: true });
    assert.doesNotMatch(stderr, /Overlapping run/);
  }
});
