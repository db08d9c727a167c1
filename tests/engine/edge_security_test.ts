// `rohas start` with edge processes, probed as a local user and as a handler author would: the
// control channel admits only the edges it started, holds little for a peer that never says hello,
// and handler code on an edge can do no more than under `rohas dev`.
import assert from "node:assert/strict";
import { createUser, eventually, type ServerProcess, startServer, stats } from "./_server.ts";

const API_KEY = "edge-security-key";

/** The example, with two edges under `start` and none under `dev`; `edit` changes its config. */
function startExample(
  command: "dev" | "start",
  options: { edit?: (config: string) => string; args?: string[]; probe?: boolean } = {},
): Promise<ServerProcess> {
  return startServer({
    command,
    args: options.args ?? [],
    prepare: async (dir) => {
      const file = `${dir}/config/rohas.toml`;
      // `dev` serves from the main process (workers = 0), as `rohas dev` does by default.
      const workers = command === "start" ? 2 : 0;
      const config = (options.edit ?? ((c) => c))(await Deno.readTextFile(file))
        .replace("[server]\n", `[server]\nworkers = ${workers}\n`);
      await Deno.writeTextFile(
        file,
        `${config}\n[workbench]\napi_key = "${API_KEY}"\nallowed_origins = ["http://app.example"]\n`,
      );
      if (options.probe) await Deno.writeTextFile(`${dir}/src/handlers/api/hello.ts`, PROBE);
    },
  });
}

/** The processes `pid` started. */
async function childPids(pid: number): Promise<number[]> {
  const pids: number[] = [];
  for await (const task of Deno.readDir(`/proc/${pid}/task`)) {
    const text = await Deno.readTextFile(`/proc/${pid}/task/${task.name}/children`);
    pids.push(...text.split(" ").filter((s) => s.trim() !== "").map(Number));
  }
  return pids;
}

/** A process's command line, as any local user reads it. */
async function commandLine(pid: number): Promise<string[]> {
  return (await Deno.readTextFile(`/proc/${pid}/cmdline`)).split("\0").filter((s) => s !== "");
}

/** The edge processes of a server and their command lines. */
async function edgeCommandLines(server: ServerProcess): Promise<string[][]> {
  const lines = await Promise.all((await childPids(server.child.pid)).map(commandLine));
  return lines.filter((line) => line.some((arg) => arg.endsWith("edge_main.ts")));
}

/** The TCP ports `pid` listens on (its socket inodes matched in /proc/net/tcp). */
async function listeningPorts(pid: number): Promise<number[]> {
  const inodes = new Set<string>();
  for await (const fd of Deno.readDir(`/proc/${pid}/fd`)) {
    const link = await Deno.readLink(`/proc/${pid}/fd/${fd.name}`).catch(() => "");
    const m = link.match(/^socket:\[(\d+)\]$/);
    if (m) inodes.add(m[1]!);
  }
  const ports = new Set<number>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    const rows = (await Deno.readTextFile(table)).split("\n").slice(1);
    for (const row of rows) {
      const cols = row.trim().split(/\s+/);
      if (cols[3] === "0A" && inodes.has(cols[9]!)) {
        ports.add(parseInt(cols[1]!.split(":")[1]!, 16));
      }
    }
  }
  return [...ports];
}

/** Connects, writes `line`, and collects what comes back until the peer closes or `ms` pass. */
async function converse(port: number, line: string, ms = 1_500): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const timer = setTimeout(() => conn.close(), ms);
  let text = "";
  try {
    await conn.write(new TextEncoder().encode(line));
    const buf = new Uint8Array(65536);
    for (let n = await conn.read(buf); n !== null; n = await conn.read(buf)) {
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
  } catch {
    // Closed by the timer or reset by the server.
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  }
  return text;
}

/** The hello lines an attacker can build from what a command line shows. */
function forgedHellos(edgeLines: string[][]): string[] {
  const hellos = [JSON.stringify({ type: "hello", slot: 0, nonce: "" })];
  for (const line of edgeLines) {
    const args = line.slice(line.findIndex((arg) => arg.endsWith("edge_main.ts")) + 1);
    const [, slot, nonce] = args;
    hellos.push(JSON.stringify({ type: "hello", slot: Number(slot), nonce, secret: nonce }));
  }
  return hellos;
}

/** The port that closes a connection after a line that is no hello, without a word. */
async function findControlPort(ports: number[]): Promise<number> {
  for (const port of ports) if (await converse(port, "{}\n") === "") return port;
  throw new Error(`No control port among ${ports}`);
}

/** Waits until `count` edge processes listen on the public port. */
async function edgesListening(server: ServerProcess, count: number): Promise<void> {
  await eventually(async () => {
    const edges = (await childPids(server.child.pid)).map(async (pid) =>
      (await listeningPorts(pid).catch((): number[] => [])).includes(server.port)
    );
    const listening = (await Promise.all(edges)).filter((yes) => yes).length;
    return listening >= count ? listening : undefined;
  }, `${count} edges listening`);
}

/** Main's resident memory in MB. */
async function rssMb(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(status.match(/VmRSS:\s+(\d+)/)![1]) / 1024;
}

/** A user is created and its events are delivered within 10 s: publishing APIs still work. */
async function assertPublishing(server: ServerProcess): Promise<void> {
  const id = await Promise.race([
    createUser(server),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error("POST /users hung")), 10_000)
    ),
  ]);
  await eventually(async () => {
    const s = await stats(server.url);
    return (s[`send_welcome_email:${id}`] ?? 0) >= 1 ? s : undefined;
  }, "the events of the new user delivered");
}

Deno.test("a local process that reads the edges' command lines cannot join the control channel", async () => {
  await using server = await startExample("start", { args: ["--workbench"] });
  const edges = await edgeCommandLines(server);
  assert.equal(edges.length, 2);
  const ports = (await listeningPorts(server.child.pid)).filter((p) => p !== server.port);
  assert.ok(ports.length >= 2, `the internal and control listeners: ${ports}`);
  for (const port of ports) {
    for (const hello of forgedHellos(edges)) {
      const answer = await converse(port, `${hello}\n`);
      assert.ok(!answer.includes(API_KEY), `port ${port} gave the workbench key to ${hello}`);
      assert.ok(!answer.includes('"type":"init"'), `port ${port} sent init to ${hello}`);
    }
  }
  // The forged peers are gone: the edges still publish through the engine.
  await assertPublishing(server);
});

Deno.test("the control port holds nothing for peers that never say hello", async () => {
  await using server = await startExample("start");
  const ports = (await listeningPorts(server.child.pid)).filter((p) => p !== server.port);
  const before = await rssMb(server.child.pid);
  const chunk = new Uint8Array(1 << 20).fill(0x61);
  for (const port of ports) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    // A server that stops reading (HTTP's header limit) holds no more either: stop after 5 s.
    const timer = setTimeout(() => conn.close(), 5_000);
    let written = 0;
    try {
      while (written < 200 << 20) written += await conn.write(chunk);
    } catch {
      // Closed by the server, or by the timer.
    } finally {
      clearTimeout(timer);
      try {
        conn.close();
      } catch {
        // Closed by the timer.
      }
    }
    assert.ok(written < 64 << 20, `port ${port} took ${written >> 20} MB without a line end`);
  }
  const grown = await rssMb(server.child.pid) - before;
  assert.ok(grown < 40, `main grew by ${grown.toFixed(0)} MB`);
  // Silent peers: many connections to the control port (the one that answers a line that is no
  // hello with nothing but a close), none says hello; each is closed, at once or after a timeout.
  const controlPort = await findControlPort(ports);
  const control = await Promise.all(
    Array.from({ length: 64 }, () => Deno.connect({ hostname: "127.0.0.1", port: controlPort })),
  );
  const silent = await Promise.all(
    ports.map((port) => Deno.connect({ hostname: "127.0.0.1", port })),
  );
  const closedWithin = async (conn: Deno.Conn) => {
    const started = Date.now();
    // The internal HTTP listener keeps idle connections open (only HTTP's own timeouts apply).
    const timer = setTimeout(() => conn.close(), 8_000);
    const n = await conn.read(new Uint8Array(16)).catch(() => null);
    clearTimeout(timer);
    const waited = Date.now() - started;
    try {
      conn.close();
    } catch {
      // Closed by the timer.
    }
    return n === null && waited < 7_500 ? waited : Infinity;
  };
  const waits = await Promise.all([...control, ...silent].map(closedWithin));
  assert.ok(waits.filter((ms) => ms < 7_500).length >= 64, JSON.stringify(waits));
  await assertPublishing(server);
});

/**
 * A handler (GET /hello, default profile) that reports what it can reach: its `Deno.args`, the
 * ports listed in `probe_ports.json` (connecting, then trying a hello with its args), stdin, the
 * project's config file.
 */
const PROBE = `
export async function handleHello() {
  const report = { args: Deno.args, ports: {}, stdin: "", config: "" };
  try {
    report.config = (await Deno.readTextFile("config/rohas.toml")).length > 0 ? "read" : "empty";
  } catch (error) {
    report.config = error.name;
  }
  const ports = JSON.parse(await Deno.readTextFile("probe_ports.json"));
  for (const port of ports) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      const args = Deno.args;
      await conn.write(new TextEncoder().encode(JSON.stringify({
        type: "hello", slot: Number(args[1] ?? 0), nonce: args[2] ?? "", secret: args[2] ?? "",
      }) + "\\n"));
      const buf = new Uint8Array(4096);
      const timer = setTimeout(() => conn.close(), 500);
      const n = await conn.read(buf).catch(() => null);
      clearTimeout(timer);
      try { conn.close(); } catch { /* closed */ }
      const text = new TextDecoder().decode(buf.subarray(0, n ?? 0));
      report.ports[port] = text.includes('"type":"init"') ? "init" : "connected";
    } catch (error) {
      report.ports[port] = error.name;
    }
  }
  try {
    const buf = new Uint8Array(1024);
    const read = Deno.stdin.read(buf);
    const n = await Promise.race([read, new Promise((r) => setTimeout(() => r("pending"), 200))]);
    report.stdin = n === null ? "eof" : n === "pending" ? "pending" : new TextDecoder().decode(buf.subarray(0, n));
  } catch (error) {
    report.stdin = error.name;
  }
  return { data: { message: JSON.stringify(report) } };
}
`;

/** Runs the probe on a server, aimed at `ports`. */
async function probe(server: ServerProcess, ports: number[]) {
  await Deno.writeTextFile(`${server.dir}/probe_ports.json`, JSON.stringify(ports));
  const res = await fetch(`${server.url}/hello`);
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  return JSON.parse(body.data.message) as {
    args: string[];
    ports: Record<string, string>;
    stdin: string;
    config: string;
  };
}

const NO_NET = (config: string) =>
  config.replace("[permissions]\n", "[permissions]\nnet = false\n");

Deno.test("a handler of a profile without net is denied the network under start exactly as under dev", async () => {
  await using dev = await startExample("dev", { edit: NO_NET, probe: true });
  await using start = await startExample("start", { edit: NO_NET, probe: true });
  // The ports of the start server's processes (public, internal, control, any other).
  const ports = [...await listeningPorts(start.child.pid), start.port, dev.port];
  const underDev = await probe(dev, ports);
  const underStart = await probe(start, ports);
  for (const port of ports) assert.equal(underDev.ports[port], "NotCapable", `dev, port ${port}`);
  assert.deepEqual(underStart.ports, underDev.ports);
  // The profile reads the project (read = ["."]) in both modes alike.
  assert.equal(underStart.config, underDev.config);
  // Its handlers ran in the main process's Workers, and start said why.
  assert.equal((await edgeCommandLines(start)).length, 0);
  assert.match(start.output(), /No edge processes: the default permission profile does not grant/);
});

Deno.test("a handler on an edge finds no secret in Deno.args or stdin and cannot join the control channel", async () => {
  await using start = await startExample("start", { probe: true });
  assert.equal((await edgeCommandLines(start)).length, 2);
  const ports = (await listeningPorts(start.child.pid)).filter((p) => p !== start.port);
  // Several requests: the kernel spreads connections over both edges.
  for (let i = 0; i < 4; i++) {
    const report = await probe(start, ports);
    assert.deepEqual(report.args, [], "an edge's arguments are the handler's Deno.args");
    assert.notEqual(report.stdin.length > 8 && report.stdin !== "pending", true, report.stdin);
    for (const port of ports) assert.notEqual(report.ports[port], "init", `port ${port}`);
  }
  await assertPublishing(start);
});

Deno.test("the workbench's CORS preflight gets the same answer under start as under dev", async () => {
  const preflight = async (server: ServerProcess) => {
    const res = await fetch(`${server.url}/api/workbench/snapshot`, {
      method: "OPTIONS",
      headers: {
        origin: "http://app.example",
        "access-control-request-method": "GET",
        "access-control-request-headers": "x-api-key",
      },
    });
    await res.body?.cancel();
    const cors = [...res.headers].filter(([name]) => name.startsWith("access-control-"));
    return { status: res.status, cors };
  };
  await using dev = await startExample("dev", { args: ["--workbench"] });
  await using start = await startExample("start", { args: ["--workbench"] });
  const underDev = await preflight(dev);
  assert.equal(underDev.status, 204);
  assert.deepEqual(await preflight(start), underDev);
});

Deno.test("a publish the engine does not answer fails with 503 instead of hanging, and its edge is replaced", async () => {
  await using server = await startExample("start");
  await edgesListening(server, 2);
  await assertPublishing(server);
  const main = server.child.pid;
  // The main process stops turning: the edges still take requests, but no publish is answered.
  Deno.kill(main, "SIGSTOP");
  let status: number | string;
  try {
    const started = Date.now();
    // PlaceOrder only publishes (CreateUser writes state.kv first, which would time out first).
    status = await fetch(`${server.url}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ orderId: crypto.randomUUID(), amount: 1 }),
      signal: AbortSignal.timeout(10_000),
    }).then(async (res) => {
      await res.body?.cancel();
      return res.status;
    }, (error) => `${(error as Error).name} after ${Date.now() - started} ms`);
  } finally {
    Deno.kill(main, "SIGCONT");
  }
  assert.equal(status, 503);
  // It drains and exits; the engine sees its channel close or its exit first.
  await server.waitFor(/edge \d" restarted/);
  await edgesListening(server, 2);
  await assertPublishing(server).catch((error) => {
    throw new Error(`${error}\n${server.output()}`);
  });
});
