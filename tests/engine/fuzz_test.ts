// Fuzzing the HTTP and WebSocket surface: random methods, paths, headers, bodies, invalid UTF-8,
// raw garbage on the socket, random and oversized frames. The engine never answers 5xx for bad
// input and never crashes.
import assert from "node:assert/strict";
import { createApp } from "../../mod.ts";
import { manifest } from "../../examples/hello-ts/src/generated/manifest.ts";
import { loadConfig } from "../../project/mod.ts";
import { fromFileUrl } from "./_helpers.ts";
import { startServer } from "./_server.ts";
import { upgradeRequest, WsClient } from "./_ws_client.ts";

/** The socket-level fuzz runs against the main process (dev) and through the edges (start). */
const COMMANDS = ["dev", "start"] as const;

/** A small seeded PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6D2B79F5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Percent-encodes, turning lone surrogates into the invalid UTF-8 they would be. */
function enc(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return "%ED%A0%80";
  }
}

const SEED = Number(Deno.env.get("FUZZ_SEED") ?? "20261128");

function fuzzer(random: () => number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const int = (n: number) => Math.floor(random() * n);
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));
  const text = (n: number) =>
    Array.from({ length: n }, () => String.fromCharCode(pick([int(128), int(0x10000)]))).join("");
  const segment = () =>
    pick([
      "users",
      "files",
      "emit",
      "hello",
      "orders",
      "protected",
      "%ZZ",
      "%FF%FE",
      "%C3%A9",
      "%2F",
      "..",
      "",
      enc(text(int(8))),
    ]);
  const path = () => "/" + Array.from({ length: int(4) }, segment).join("/");
  const json = (depth = 0): unknown => {
    const kind = depth > 3 ? int(4) : int(7);
    if (kind === 0) return null;
    if (kind === 1) return random() * 1e6 - 5e5;
    if (kind === 2) return text(int(10));
    if (kind === 3) return random() < 0.5;
    if (kind === 4) return Array.from({ length: int(4) }, () => json(depth + 1));
    const keys = ["name", "email", "age", "tags", "payload", "orderId", "amount", text(3)];
    return Object.fromEntries(Array.from({ length: int(5) }, () => [pick(keys), json(depth + 1)]));
  };
  const body = (): BodyInit | null =>
    pick<() => BodyInit | null>([
      () => null,
      () => JSON.stringify(json()),
      () => bytes(int(64)),
      () => text(int(64)),
      () => "{".repeat(int(2000)),
      () => "x".repeat(70_000 + int(1000)),
    ])();
  return { pick, int, path, body, text };
}

// Routes whose handlers fail on purpose (500/504) or block the isolate are not fuzzed in-process.
const DESIGNED_FAILURES = /^\/(fail|spin|secret|slow)(\/|$|\?)/;

Deno.test("fuzzed requests through app.handler() never get a 5xx from the engine", async () => {
  const root = fromFileUrl(new URL("../../examples/hello-ts/", import.meta.url));
  const { config } = await loadConfig(root, { env: {} });
  const app = await createApp({ manifest, root, config, mode: "dev", cron: false });
  const f = fuzzer(prng(SEED));
  let sent = 0;
  try {
    for (let i = 0; i < 1500; i++) {
      const method = f.pick(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "BREW"]);
      const path = f.pick([
        f.path(),
        "/users",
        "/orders",
        "/bench",
        "/emit/" + f.text(3),
        "/users/x",
      ]);
      if (DESIGNED_FAILURES.test(path)) continue;
      const headers = new Headers();
      headers.set(
        "content-type",
        f.pick(["application/json", "text/plain", "x/y", "", "multipart/form-data"]),
      );
      if (f.int(3) === 0) headers.set("authorization", `Bearer ${enc(f.text(5))}`);
      if (f.int(4) === 0) headers.set("x-user-id", enc(f.text(6)));
      const hasBody = method !== "GET" && method !== "HEAD";
      const url = `http://fuzz.test${path}?${enc(f.text(4))}=${f.text(3)}`;
      let request: Request;
      try {
        request = new Request(url, { method, headers, body: hasBody ? f.body() : null });
      } catch {
        continue; // Not expressible as a Request (the raw-socket test covers those bytes).
      }
      const res = await app.handler(request);
      sent++;
      await res.body?.cancel();
      assert.ok(res.status < 500, `${method} ${path} gave ${res.status} (seed ${SEED}, case ${i})`);
    }
  } finally {
    await app.close();
  }
  assert.ok(sent > 1000, `only ${sent} requests were expressible`);
});

/** One fuzzed request, written as bytes on a socket (any method, any case, any target). */
interface RawCase {
  method: string;
  target: string;
  headers: [string, string][];
  body: Uint8Array | null;
}

/** JSON nested `depth` deep, as an array or an object chain. */
function deepJson(depth: number, kind: "array" | "object"): string {
  return kind === "array"
    ? "[".repeat(depth) + "]".repeat(depth)
    : '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
}

/** The corpus every mode gets: the same requests, in the same order. */
function rawCorpus(count: number): RawCase[] {
  const f = fuzzer(prng(SEED + 4));
  const encoder = new TextEncoder();
  const cases: RawCase[] = [];
  const methods = [
    ...["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "BREW", "TRACE", "TRACK"],
    ...["get", "post", "options", "patch", "delete", "trace", "Get", "M-SEARCH", "PROPFIND"],
  ];
  // JSON nested deeper than any limit, to each route that takes a JSON body, and as an event's
  // payload (a handler publishes it).
  for (const target of ["/users", "/orders", "/bench", "/emit/UserCreated", "/search"]) {
    for (const kind of ["array", "object"] as const) {
      for (const wrap of [false, true]) {
        const json = wrap ? `{"payload":${deepJson(5_000, kind)}}` : deepJson(5_000, kind);
        const headers: [string, string][] = [["content-type", "application/json"]];
        const method = target === "/search" ? "GET" : "POST";
        cases.push({ method, target, headers, body: encoder.encode(json) });
      }
    }
  }
  while (cases.length < count) {
    const method = f.pick(methods);
    const path = f.pick([
      f.path(),
      "/users",
      "/orders",
      "/bench",
      "/emit/" + f.text(3),
      "/users/x",
    ]);
    if (DESIGNED_FAILURES.test(path) || /[^\x21-\x7e]/.test(path)) continue;
    const target = `${path}?${enc(f.text(4))}=${enc(f.text(3))}`;
    const headers: [string, string][] = [];
    const type = f.pick(["application/json", "text/plain", "x/y", "", "multipart/form-data"]);
    if (type !== "") headers.push(["content-type", type]);
    if (f.int(3) === 0) headers.push(["authorization", `Bearer ${enc(f.text(5))}`]);
    if (f.int(4) === 0) headers.push(["x-user-id", enc(f.text(6))]);
    if (f.int(8) === 0) headers.push(["origin", "http://fuzz.example"]);
    let body: BodyInit | null = f.body();
    if (f.int(20) === 0) body = deepJson(5_000, f.pick(["array", "object"] as const));
    const bytes = body === null
      ? null
      : typeof body === "string"
      ? encoder.encode(body)
      : body as Uint8Array;
    cases.push({ method, target, headers, body: bytes });
  }
  return cases;
}

/** Sends one case on a new connection and returns the status (0: closed without an answer). */
async function sendRaw(port: number, c: RawCase): Promise<number> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const timer = setTimeout(() => conn.close(), 15_000);
  try {
    const head = [
      `${c.method} ${c.target} HTTP/1.1`,
      `host: 127.0.0.1:${port}`,
      "connection: close",
    ];
    for (const [name, value] of c.headers) head.push(`${name}: ${value}`);
    if (c.body !== null) head.push(`content-length: ${c.body.length}`);
    const bytes = new TextEncoder().encode(head.join("\r\n") + "\r\n\r\n");
    await writeAll(conn, bytes);
    if (c.body !== null) await writeAll(conn, c.body).catch(() => {});
    const buf = new Uint8Array(64);
    let text = "";
    while (!text.includes("\r\n")) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
    return Number(text.split(" ")[1] ?? 0) || 0;
  } catch (error) {
    if (error instanceof Deno.errors.ConnectionReset || error instanceof Deno.errors.BadResource) {
      return 0;
    }
    throw error;
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // Closed by the timer.
    }
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
}

Deno.test("one fuzzed corpus on the socket gets no 5xx and the same status under rohas dev and rohas start (edges)", async () => {
  const corpus = rawCorpus(1_500);
  const statuses: Record<string, number[]> = {};
  for (const command of COMMANDS) {
    await using server = await startServer({
      command,
      prepare: async (dir) => {
        // Two edges under start (whatever the cores), none under dev.
        const file = `${dir}/config/rohas.toml`;
        const workers = command === "start" ? 2 : 0;
        const config = await Deno.readTextFile(file);
        await Deno.writeTextFile(
          file,
          config.replace("[server]\n", `[server]\nworkers = ${workers}\n`),
        );
      },
    });
    if (command === "start") await server.waitFor(/2 edge processes/);
    const got: number[] = [];
    for (const c of corpus) got.push(await sendRaw(server.port, c));
    statuses[command] = got;
    await assertServing(server.url);
  }
  const describe = (i: number) => {
    const c = corpus[i]!;
    return `${c.method} ${c.target} [${c.headers.map((h) => h.join(": ")).join("; ")}] ` +
      `(${c.body?.length ?? 0} bytes): dev ${statuses.dev![i]}, start ${statuses.start![i]}`;
  };
  const serverErrors = corpus.map((_, i) => i).filter((i) =>
    statuses.dev![i]! >= 500 || statuses.start![i]! >= 500
  );
  assert.deepEqual(serverErrors.map(describe), [], `5xx answers (seed ${SEED})`);
  const differing = corpus.map((_, i) => i).filter((i) => statuses.dev![i] !== statuses.start![i]);
  assert.deepEqual(differing.map(describe), [], `answers that differ (seed ${SEED})`);
});

for (const command of COMMANDS) {
  Deno.test(`raw garbage and invalid UTF-8 on the socket never crash the server (rohas ${command})`, async () => {
    await using server = await startServer({ command });
    const f = fuzzer(prng(SEED + 1));
    const payloads = [
      new TextEncoder().encode("GET /us\xffers HTTP/1.1\r\nHost: x\r\n\r\n"),
      Uint8Array.from([
        0x47,
        0x45,
        0x54,
        0x20,
        0x2f,
        0xc3,
        0x28,
        0x20,
        0x48,
        0x54,
        0x54,
        0x50,
        0x2f,
        0x31,
        0x2e,
        0x31,
        0x0d,
        0x0a,
        0x0d,
        0x0a,
      ]),
      new TextEncoder().encode(
        "POST /users HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n\xff\xfe\xfd\xfc\xfb",
      ),
      new TextEncoder().encode(
        'POST /users HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"trunc',
      ),
      new TextEncoder().encode("GET /hello HTTP/1.1\r\nHost: x\r\nX-Bad: \x01\x02\r\n\r\n"),
      ...Array.from(
        { length: 30 },
        () => Uint8Array.from({ length: 1 + f.int(300) }, () => f.int(256)),
      ),
    ];
    for (const bytes of payloads) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
      try {
        await conn.write(bytes);
        await conn.closeWrite();
        const buf = new Uint8Array(1024);
        const n = await conn.read(buf);
        const line = new TextDecoder().decode(buf.subarray(0, n ?? 0)).split("\r\n")[0] ?? "";
        const status = Number(line.split(" ")[1]);
        assert.ok(!(status >= 500), `Got "${line}"`);
      } catch (error) {
        // The server may reset a connection it cannot parse; that is not a crash.
        if (!(error instanceof Deno.errors.ConnectionReset)) throw error;
      } finally {
        conn.close();
      }
    }
    await assertServing(server.url);
  });
}

for (const command of COMMANDS) {
  Deno.test(`random, binary and oversized WebSocket frames never crash the server (rohas ${command})`, async () => {
    await using server = await startServer({ command });
    const f = fuzzer(prng(SEED + 2));
    const base = server.url.replace("http", "ws");
    await using echo = await WsClient.open(`${base}/ws/echo`);
    await using chat = await WsClient.open(`${base}/ws/chat?token=secret`);
    for (let i = 0; i < 200; i++) {
      const target = f.int(2) === 0 ? echo : chat;
      const kind = f.int(4);
      if (kind === 0) target.socket.send(f.text(f.int(200)));
      else if (kind === 1) target.socket.send(JSON.stringify({ text: f.text(f.int(20)) }));
      else if (kind === 2) {
        target.socket.send(Uint8Array.from({ length: f.int(64) }, () => f.int(256)));
      } else {target.socket.send(
          JSON.stringify({ deep: JSON.parse("[".repeat(50) + "]".repeat(50)) }),
        );}
    }
    // Both connections still answer in order after the noise.
    echo.send({ marker: "after" });
    await echo.next((m) => JSON.stringify(m.echo) === '{"marker":"after"}');
    chat.send({ text: "after-noise" });
    await chat.next((m) => m.type === "message" && m.text === "after-noise");
    // An oversized frame closes that connection with 1009; the server keeps serving.
    await using big = await WsClient.open(`${base}/ws/echo`);
    big.send("x".repeat(70_000));
    assert.equal((await big.closed).code, 1009);
    await assertServing(server.url);
  });
}

for (const command of COMMANDS) {
  Deno.test(`truncated and malformed WebSocket frames on a raw socket never crash the server (rohas ${command})`, async () => {
    await using server = await startServer({ command });
    const f = fuzzer(prng(SEED + 3));
    const frames = [
      Uint8Array.from([0x81]), // header cut after the first byte
      Uint8Array.from([0x81, 0xfe, 0x00]), // 16-bit length cut short
      Uint8Array.from([0x81, 0x85, 1, 2, 3, 4, 0x41]), // masked text, payload cut short
      Uint8Array.from([0x81, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f]), // unmasked client frame
      Uint8Array.from([0x8f, 0x80, 0, 0, 0, 0]), // unknown opcode
      Uint8Array.from([0x81, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), // 2^63 length
      ...Array.from(
        { length: 10 },
        () => Uint8Array.from({ length: 1 + f.int(40) }, () => f.int(256)),
      ),
    ];
    for (const frame of frames) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
      try {
        await conn.write(upgradeRequest(server.port, "/ws/echo"));
        const buf = new Uint8Array(1024);
        const n = await conn.read(buf);
        assert.match(new TextDecoder().decode(buf.subarray(0, n ?? 0)), /^HTTP\/1\.1 101/);
        await conn.write(frame);
      } catch (error) {
        if (!(error instanceof Deno.errors.ConnectionReset)) throw error;
      } finally {
        conn.close();
      }
    }
    await assertServing(server.url);
  });
}

/** The server still answers its liveness check after the abuse. */
async function assertServing(url: string): Promise<void> {
  const health = await fetch(`${url}/_rohas/health`);
  assert.equal(health.status, 200);
  await health.body?.cancel();
}
