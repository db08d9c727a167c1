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
      try {
        const res = await fetch(`${server.url}${path}`);
        const text = await res.text();
        if (res.status === 200) ok++;
        else failures.push(`${res.status} ${text}`);
      } catch (error) {
        failures.push(String(error));
      }
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
  if (res.status === 200) return (await res.json()).data;
  throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
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

/** The example's Hello answering from a module it imports, with that module's own state. */
async function helloFromSharedModule(dir: string): Promise<void> {
  await Deno.mkdir(`${dir}/src/lib`, { recursive: true });
  await Deno.writeTextFile(`${dir}/src/lib/greeting.ts`, greetingModule("v1"));
  await Deno.writeTextFile(
    `${dir}/src/handlers/api/hello.ts`,
    `import type { HelloResponse } from "../../generated/api/hello.ts";
import { greet } from "../../lib/greeting.ts";

export function handleHello(): HelloResponse {
  return { data: { message: greet() } };
}
`,
  );
}

/** A module keeping a counter and a version in module state; the answer shows both. */
function greetingModule(version: string): string {
  return `const loaded = "${version}";
let calls = 0;
export function greet(): string {
  calls++;
  return \`\${loaded}:\${calls}\`;
}
`;
}

Deno.test("an edit of a module handlers import is live in every Worker under load, fresh state, zero failures", async () => {
  await using server = await startServer({ watch: true, prepare: helloFromSharedModule });
  assert.match((await message(server, "/hello")).message, /^v1:\d+$/);
  const traffic = load(server, "/hello");
  const written = performance.now();
  await Deno.writeTextFile(`${server.dir}/src/lib/greeting.ts`, greetingModule("v2"));
  // A Worker importing the handler for the first time right after the write already gets the new
  // module; only once the reload is done does every Worker answer with it.
  await server.waitFor(/Reloaded src\/lib\/greeting\.ts \(\d+ ms\): live in Hello\n/);
  const liveMs = performance.now() - written;
  const after = await Promise.all(
    Array.from({ length: 8 }, async () => (await message(server, "/hello")).message),
  );
  for (const answer of after) assert.match(answer, /^v2:\d+$/, server.output());
  const { ok, failures } = await traffic.stop();
  assert.deepEqual(failures, [], server.output());
  assert.ok(ok > 0);
  // The measured target is in bench/reload_bench.ts; here, under 4 request loops on a shared
  // machine, it must still be well within a second.
  assert.ok(liveMs < 1_000, `live after ${liveMs.toFixed(0)} ms`);
});

Deno.test("an edit of a module no handler imports reloads nothing and says so", async () => {
  await using server = await startServer({ watch: true });
  await Deno.writeTextFile(`${server.dir}/src/lib/unused.ts`, "export const unused = 1;\n");
  await server.waitFor(/Changed src\/lib\/unused\.ts: no handler imports it/);
});

Deno.test("a config edit restarts the engine in place on the same port", async () => {
  await using server = await startServer({ watch: true });
  const body = JSON.stringify({ name: "Ann", email: "ann@example.com" });
  const post = () =>
    fetch(`${server.url}/users`, {
      method: "POST",
      headers: { "x-user-id": "config-edit", "content-type": "application/json" },
      body,
    });
  const before = await post();
  await before.body?.cancel();
  assert.equal(before.status, 200);
  const config = `${server.dir}/config/rohas.toml`;
  const text = await Deno.readTextFile(config);
  await Deno.writeTextFile(config, text.replace("max_body_bytes = 65536", "max_body_bytes = 16"));
  await server.waitFor(/Config applied: listening on http:\/\/127\.0\.0\.1:(\d+)/);
  assert.match(server.output(), new RegExp(`Config applied: listening on ${server.url} `));
  const after = await post();
  await after.body?.cancel();
  assert.equal(after.status, 413);
});

Deno.test("a broken config edit is reported and the running engine keeps serving", async () => {
  await using server = await startServer({ watch: true });
  await Deno.writeTextFile(`${server.dir}/config/rohas.toml`, "[server\nport = ");
  await server.waitFor(/Still serving the last good version/);
  assert.equal((await message(server, "/hello")).message, "Hello from Rohas");
});

Deno.test("a type error is reported from the background check while the server keeps serving", async () => {
  await using server = await startServer({ watch: true });
  const file = `${server.dir}/src/handlers/api/hello.ts`;
  const source = await Deno.readTextFile(file);
  await Deno.writeTextFile(
    file,
    source.replace("Hello from Rohas", "Typed wrong").replace(
      'state.logger.info("Saying hello");',
      'const count: number = "three";\n  state.logger.info(`Saying hello ${count}`);',
    ),
  );
  await eventually(async () => {
    const data = await message(server, "/hello");
    return data?.message === "Typed wrong" ? true : undefined;
  }, "the edited handler answering despite its type error");
  await server.waitFor(/Type errors \(still serving[^\n]*\n[\s\S]*TS2322[\s\S]*hello\.ts/, 60_000);
  assert.equal((await message(server, "/hello")).message, "Typed wrong");
});
