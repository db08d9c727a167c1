// state.kv end to end on the bundled example: 40 users created, then fetched concurrently, all
// found, whichever Worker (dev) or edge process (start) served each request; the UserCreated event
// handler, the auth middleware and the Tick cron (run by `rohas cron run`, another process on the
// same denokv file) see and write the same store. A module-level Map found 30 of 40 under dev and
// 10 of 40 under start.
import assert from "node:assert/strict";
import { eventually, type ServerProcess, startServer } from "./_server.ts";
import { rohas } from "../../testing/mod.ts";

const USERS = 40;

/** The example under `rohas dev`, or `rohas start` with two edges. */
function start(command: "dev" | "start"): Promise<ServerProcess> {
  return startServer({
    command,
    prepare: async (dir) => {
      const file = `${dir}/config/rohas.toml`;
      let config = await Deno.readTextFile(file);
      if (command === "start") config = config.replace("[server]\n", "[server]\nworkers = 2\n");
      // FindUser may neither write nor reach the network: state.kv is the framework's, not a grant.
      config += '\n[permissions.handlers.FindUser]\nnet = false\nwrite = false\nread = ["src"]\n';
      await Deno.writeTextFile(file, config);
      // Says which process served it, to know when both edges listen.
      await Deno.writeTextFile(`${dir}/schema/whoami.ro`, WHOAMI_SCHEMA);
      await Deno.writeTextFile(`${dir}/src/handlers/api/whoami.ts`, WHOAMI_HANDLER);
    },
  });
}

const WHOAMI_SCHEMA = 'api Whoami {\n  method: GET\n  path: "/whoami"\n  response: Json\n}\n';
const WHOAMI_HANDLER = "export function handleWhoami() {\n  return { data: Deno.pid };\n}\n";

/** A request on a connection of its own, so that the kernel spreads them over the edges. */
async function fresh(url: string, init: RequestInit = {}) {
  using client = Deno.createHttpClient({});
  const res = await fetch(url, { ...init, client });
  return { status: res.status, body: await res.json() };
}

/** Resolves once requests on new connections reached `count` different processes. */
async function servedBy(server: ServerProcess, count: number): Promise<void> {
  const pids = new Set<number>();
  await eventually(async () => {
    pids.add((await fresh(`${server.url}/whoami`)).body.data);
    return pids.size >= count || undefined;
  }, `requests served by ${count} processes`);
}

async function directory(server: ServerProcess) {
  const res = await fetch(`${server.url}/people`);
  assert.equal(res.status, 200);
  return (await res.json()).data as Record<string, unknown>;
}

async function createAndFind(server: ServerProcess): Promise<void> {
  const ids = Array.from({ length: USERS }, (_, i) => `user-${i}`);
  await Promise.all(ids.map(async (id, i) => {
    const res = await fresh(`${server.url}/users`, {
      method: "POST",
      headers: { "x-user-id": id, "content-type": "application/json" },
      body: JSON.stringify({ name: `User ${i}`, email: `u${i}@example.com` }),
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }));
  const found = await Promise.all(ids.map(async (id) => {
    const res = await fresh(`${server.url}/people/${id}`);
    return res.status === 200 && res.body.data.id === id;
  }));
  assert.equal(found.filter(Boolean).length, USERS);
  const missing = await fetch(`${server.url}/people/nobody`);
  assert.deepEqual([missing.status, (await missing.json()).error], [
    404,
    'User "nobody" not found',
  ]);
}

async function everyKindSeesIt(server: ServerProcess): Promise<void> {
  // The event handler (main process) wrote one entry per user.
  await eventually(
    async () => (await directory(server)).audited === USERS || undefined,
    "an audit entry per user",
    30_000,
  );
  // The middleware wrote the caller.
  const protectedRes = await fetch(`${server.url}/protected`, {
    headers: { authorization: "Bearer ann" },
  });
  assert.deepEqual(await protectedRes.json(), { data: { user: "ann" } });
  // The cron, run by another process on the project's denokv file.
  const cron = await rohas(["cron", "run", "Tick", server.dir], { cwd: server.dir, process: true });
  assert.equal(cron.code, 0, cron.stderr + cron.stdout);
  assert.deepEqual(await directory(server), {
    users: USERS,
    audited: USERS,
    cronSaw: USERS,
    lastCaller: "ann",
  });
}

for (const command of ["dev", "start"] as const) {
  Deno.test(`under rohas ${command}, every request and handler kind shares state.kv`, async () => {
    await using server = await start(command);
    // Under start, both edges serve before the users are created (the first one serves alone).
    if (command === "start") await server.waitFor(/2 edge processes on the port/);
    if (command === "start") await servedBy(server, 2);
    await createAndFind(server);
    await everyKindSeesIt(server);
  });
}

const TWO_KEYS_SCHEMA = 'api TwoKeys {\n  method: GET\n  path: "/two-keys"\n  response: Json\n}\n';
const TWO_KEYS_HANDLER = `import type { State } from "../../generated/state.ts";

export async function handleTwoKeys(_req: unknown, state: State) {
  try {
    await state.kv.atomic().set(["a"], 1).set(["b"], 2).commit();
    return { data: { pid: Deno.pid, thrown: null } };
  } catch (error) {
    const e = error as Error;
    return { data: { pid: Deno.pid, thrown: e.name, constructor: e.constructor.name, message: e.message } };
  }
}
`;

Deno.test("on an edge over the nats backend, the main process's KvUnsupportedError reaches the handler by class", async () => {
  const url = Deno.env.get("ROHAS_TEST_NATS_URL") ?? "nats://127.0.0.1:14222";
  await using server = await startServer({
    command: "start",
    env: { ROHAS_STATE_TYPE: "nats", ROHAS_STATE_URL: url },
    prepare: async (dir) => {
      const file = `${dir}/config/rohas.toml`;
      const config = await Deno.readTextFile(file);
      await Deno.writeTextFile(file, config.replace("[server]\n", "[server]\nworkers = 2\n"));
      await Deno.writeTextFile(`${dir}/schema/two_keys.ro`, TWO_KEYS_SCHEMA);
      await Deno.writeTextFile(`${dir}/src/handlers/api/two_keys.ts`, TWO_KEYS_HANDLER);
    },
  });
  await server.waitFor(/2 edge processes on the port/);
  const res = await fresh(`${server.url}/two-keys`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const out = res.body.data;
  assert.notEqual(out.pid, server.child.pid, "served by an edge, not the main process");
  assert.deepEqual([out.thrown, out.constructor], ["KvUnsupportedError", "KvUnsupportedError"]);
  assert.match(
    out.message,
    /^Cannot commit an atomic operation over 2 keys on the "nats" state backend/,
  );
});
