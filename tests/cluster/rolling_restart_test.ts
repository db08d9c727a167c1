/**
 * A rolling restart of three `rohas start` instances on NATS behind HAProxy (Debian's, installed by
 * scripts/services/install.sh) running docs/deploy/haproxy.cfg, under a steady load: each instance
 * in turn gets SIGTERM while it runs a slow request (it stops accepting, answers that request and
 * exits), starts again on its port, and is back in the balancer before the next one stops. No
 * request fails.
 *
 * @module
 */

import assert from "node:assert/strict";
import { startCluster } from "./_instances.ts";
import { SOCKETS_FIXTURE } from "./_sockets.ts";
import { freePorts } from "../../testing/mod.ts";

const CONFIG = new URL("../../docs/deploy/haproxy.cfg", import.meta.url);
/** Clients sending requests back to back through the balancer. */
const LOAD_CLIENTS = 4;

Deno.test({
  name: "a rolling restart of three instances behind HAProxy under load fails no request",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using cluster = await startCluster({ adapter: "nats", from: SOCKETS_FIXTURE });
    const [lb] = freePorts(1);
    const ports = [lb!, ...cluster.instances.map((i) => i.port)];
    const dir = await Deno.makeTempDir({ prefix: "rohas-haproxy-" });
    const balancer = await startHaproxy(dir, ports);
    try {
      await balancer.waitUntilUp(["i0", "i1", "i2"]);
      const load = steadyLoad(`http://127.0.0.1:${lb}/ping`);
      await load.until(200);
      for (const instance of cluster.instances) {
        const before = load.stats().ok;
        // A request the instance is running when SIGTERM arrives is finished, not dropped.
        const slow = fetch(`${instance.url}/slow`);
        await started(`${cluster.dir}/out`);
        const status = await instance.stop();
        const answered = await slow;
        assert.equal(answered.status, 200);
        assert.deepEqual(await answered.json(), { slow: true });
        assert.equal(status.code, 0, instance.output());
        assert.match(instance.output(), /Stopped/);
        await instance.start();
        await balancer.waitUntilUp([instance.id]);
        // Requests kept flowing through the other two meanwhile.
        assert.ok(load.stats().ok > before, "no request was answered during the restart");
      }
      await load.until(load.stats().ok + 200);
      const { ok, failed } = await load.stop();
      // deno-lint-ignore no-console -- the request count is part of the test's report
      console.log(`rolling restart: ${ok} requests, ${failed.length} failed`);
      // A failure comes with HAProxy's account of the requests that did not end normally.
      if (failed.length > 0) assert.fail(`${failed.join("; ")}\n${await balancer.abnormal()}`);
    } finally {
      await balancer[Symbol.asyncDispose]();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** Waits until the slow handler says it started (a file under `out/`), and removes the file. */
async function started(out: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    for await (const entry of Deno.readDir(out)) {
      if (!entry.name.endsWith(".started")) continue;
      await Deno.remove(`${out}/${entry.name}`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("The slow handler did not start within 30 s");
}

interface Balancer extends AsyncDisposable {
  /** Resolves once every named server is UP in HAProxy's runtime API. */
  waitUntilUp(servers: string[], timeoutMs?: number): Promise<void>;
  /**
   * Stops HAProxy and resolves with its log lines of requests whose termination state is not
   * `----` (an abort, a reset, a retry that failed), at most 20, or what it printed otherwise.
   */
  abnormal(): Promise<string>;
}

/** Runs docs/deploy/haproxy.cfg with the test's ports (`ports[0]` the balancer's). */
async function startHaproxy(dir: string, ports: number[]): Promise<Balancer> {
  const socket = `${dir}/admin.sock`;
  const config = (await Deno.readTextFile(CONFIG))
    // Each request logged to stderr (HAProxy's HTTP log: its termination state says how it ended).
    .replace("global\n", "global\n    log stderr format raw local0\n")
    .replace("defaults\n", "defaults\n    log global\n    option httplog\n")
    .replaceAll("/run/haproxy/rohas.sock", socket)
    .replaceAll("127.0.0.1:8080", `127.0.0.1:${ports[0]}`)
    .replace(/127\.0\.0\.1:300([123])/g, (_, n) => `127.0.0.1:${ports[Number(n)]}`);
  await Deno.writeTextFile(`${dir}/haproxy.cfg`, config);
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("haproxy", {
      args: ["-db", "-f", `${dir}/haproxy.cfg`],
      stdout: "null",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new Error("haproxy is not installed: run scripts/services/install.sh");
  }
  const stderr = new Response(child.stderr).text();
  return {
    async waitUntilUp(servers, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (true) {
        const up = await upServers(socket).catch(() => new Set<string>());
        if (servers.every((s) => up.has(s))) return;
        if (Date.now() > deadline) {
          throw new Error(`HAProxy: ${servers} not UP (UP: ${[...up]})\n${await stderrSoFar()}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async abnormal() {
      const lines = (await stderrSoFar()).split("\n").filter((line) => line.includes(" /ping "));
      // The HTTP log's termination state follows the status, the bytes and two cookie fields.
      const odd = lines.filter((line) => !/ \d{3} \d+ - - ---- /.test(line));
      return odd.length === 0 ? "HAProxy logged no abnormal request" : odd.slice(0, 20).join("\n");
    },
    async [Symbol.asyncDispose]() {
      await stderrSoFar();
    },
  };
  /** Stops HAProxy (once) and resolves with what it printed. */
  async function stderrSoFar(): Promise<string> {
    try {
      child.kill("SIGTERM");
    } catch (error) {
      // Stopped already.
      if (!(error instanceof TypeError)) throw error;
    }
    await child.status;
    return await stderr;
  }
}

/** The servers HAProxy's runtime API reports operational (`srv_op_state` 2). */
async function upServers(socket: string): Promise<Set<string>> {
  const conn = await Deno.connect({ transport: "unix", path: socket });
  await conn.write(new TextEncoder().encode("show servers state rohas\n"));
  const text = await new Response(conn.readable).text();
  const up = new Set<string>();
  for (const line of text.split("\n")) {
    const fields = line.split(" ");
    // be_id be_name srv_id srv_name srv_addr srv_op_state ...
    if (fields[1] === "rohas" && fields[5] === "2") up.add(fields[3]!);
  }
  return up;
}

interface Load {
  stats(): { ok: number; failed: string[] };
  /** Resolves once `ok` requests succeeded in total. */
  until(ok: number): Promise<void>;
  stop(): Promise<{ ok: number; failed: string[] }>;
}

/** {@linkcode LOAD_CLIENTS} loops sending GET requests back to back until stopped. */
function steadyLoad(url: string): Load {
  let ok = 0;
  const failed: string[] = [];
  let running = true;
  const waiters = new Set<() => void>();
  const loop = async () => {
    while (running) {
      try {
        const response = await fetch(url);
        const body = await response.text();
        if (response.status === 200) ok++;
        else failed.push(`${response.status} ${body}`);
      } catch (error) {
        failed.push(String(error));
      }
      for (const wake of [...waiters]) wake();
    }
  };
  const loops = Array.from({ length: LOAD_CLIENTS }, loop);
  return {
    stats: () => ({ ok, failed }),
    until: (target) =>
      new Promise((resolve) => {
        const check = () => {
          if (ok < target && running) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }),
    async stop() {
      running = false;
      await Promise.all(loops);
      return { ok, failed };
    },
  };
}
