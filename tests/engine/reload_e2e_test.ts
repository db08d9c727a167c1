// Hot reload in `rohas dev` under load: a handler edit, a schema edit and a broken edit, with zero
// failed requests.
import assert from "node:assert/strict";
import { eventually, type ServerProcess, startServer, stats } from "./_server.ts";

/** Keeps `concurrency` request loops on a path until stopped; counts non-200 answers. */
function load(server: ServerProcess, path: string, concurrency = 4) {
  let running = true;
  let ok = 0;
  const failures: string[] = [];
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) {
      const res = await fetch(`${server.url}${path}`);
      const text = await res.text();
      if (res.status === 200) ok++;
      else failures.push(`${res.status} ${text}`);
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return { ok, failures };
    },
  };
}

async function message(server: ServerProcess, path: string) {
  const res = await fetch(`${server.url}${path}`);
  return res.status === 200 ? (await res.json()).data : (await res.body?.cancel(), undefined);
}

Deno.test("a handler edit is served live under load with zero failed requests", async () => {
  await using server = await startServer({ watch: true });
  const traffic = load(server, "/hello");
  const file = `${server.dir}/src/handlers/api/hello.ts`;
  const source = await Deno.readTextFile(file);
  await Deno.writeTextFile(file, source.replace("Hello from Rohas", "Hello again"));
  await eventually(async () => {
    const data = await message(server, "/hello");
    return data?.message === "Hello again" ? true : undefined;
  }, "the edited handler answering");
  const { ok, failures } = await traffic.stop();
  assert.deepEqual(failures, []);
  assert.ok(ok > 0);
});

Deno.test("a schema edit adds a route without a restart; a broken edit keeps the last good one", async () => {
  await using server = await startServer({ watch: true });
  const traffic = load(server, "/hello");
  await Deno.writeTextFile(
    `${server.dir}/src/handlers/api/extra.ts`,
    "export function handleExtra() {\n  return { data: { extra: true } };\n}\n",
  );
  await Deno.writeTextFile(
    `${server.dir}/schema/extra.ro`,
    'api Extra {\n  method: GET\n  path: "/extra"\n  response: Json\n}\n',
  );
  await eventually(async () => (await message(server, "/extra"))?.extra, "the new route");
  // Events still flow after the swap, each delivered once.
  for (const id of ["after-swap-1", "after-swap-2"]) {
    const res = await fetch(`${server.url}/users`, {
      method: "POST",
      headers: { "x-user-id": id, "content-type": "application/json" },
      body: JSON.stringify({ name: "Ann", email: "ann@example.com" }),
    });
    assert.equal(res.status, 200);
    await res.body?.cancel();
    await eventually(async () => (await stats(server.url))[`count_onboarded:${id}`], id);
  }
  const counts = await stats(server.url);
  assert.equal(counts["send_welcome_email:after-swap-1"], 1);
  assert.equal(counts["count_onboarded:after-swap-1"], 1);
  await Deno.writeTextFile(`${server.dir}/schema/extra.ro`, "api Extra {\n  method: NOPE\n");
  await server.waitFor(/Still serving the last good version/);
  assert.deepEqual(await message(server, "/extra"), { extra: true });
  const { failures } = await traffic.stop();
  assert.deepEqual(failures, []);
  assert.match(server.output(), /schema\/extra\.ro:2:\d+: error/);
});
