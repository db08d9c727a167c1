import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { createAdapter } from "../../adapters/mod.ts";
import { EventBus } from "../../engine/events/mod.ts";
import { loadConfig } from "../../project/mod.ts";
import { freePort, rohas, type TempDir, tempDir } from "../../testing/mod.ts";
import { dlqConfig, eventually, listJson, startDev } from "./_dlq_support.ts";

const SCHEMA = `event Doomed {
  payload: Json
  handler: [doomed]
}

api Emit {
  method: POST
  path: "/emit"
  body: Json
  response: Json
  triggers: [Doomed]
}
`;

const EMIT = `export function handleEmit(req: { body: unknown }) {
  return { data: req.body };
}
`;

// Fails until out/fixed exists, then records each delivery in out/delivered.log.
const DOOMED = `export function handleDoomed(event: { payload: { n: number } }) {
  const out = new URL("../../../out/", import.meta.url);
  try {
    Deno.statSync(new URL("fixed", out));
  } catch {
    throw new Error("Doomed " + event.payload.n + " is broken");
  }
  Deno.writeTextFileSync(new URL("delivered.log", out), JSON.stringify(event.payload) + "\\n", {
    append: true,
  });
}
`;

function config(port: number, adapter: string, name = "dlq-test"): string {
  const retries = "max_attempts = 2\nbackoff_ms = 10\nmax_backoff_ms = 20";
  return dlqConfig({ name, port, adapter: `${adapter}\n${retries}`, writers: ["doomed"] });
}

function tempProject(files: Record<string, string>): Promise<TempDir> {
  return tempDir({ prefix: "rohas_dlq_test_", files });
}

Deno.test("rohas dlq lists a memory-adapter dead letter from the running engine, and replay delivers it again", async () => {
  const port = freePort();
  await using project = await tempProject({
    "config/rohas.toml": config(port, `type = "memory"`),
    "schema/app.ro": SCHEMA,
    "src/handlers/api/emit.ts": EMIT,
    "src/handlers/events/doomed.ts": DOOMED,
    "out/.keep": "",
  });
  const root = project.path;
  await using engine = await startDev(root);
  assertEquals(engine.url, `http://127.0.0.1:${port}`);
  const emitted = await fetch(`${engine.url}/emit`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ n: 7 }),
  });
  assertEquals(emitted.status, 200);
  await emitted.body?.cancel();

  const [letter] = await eventually("the dead letter", async () => {
    const letters = await listJson(root);
    return letters.length > 0 ? letters : undefined;
  });
  assertEquals(letter!.topic, "Doomed");
  assertEquals(letter!.group, "dlq-test.doomed");
  assertEquals(letter!.payload, { n: 7 });
  ok(letter!.error.includes("Doomed 7 is broken"), letter!.error);

  const human = await rohas(["dlq", "list", "Doomed", "-C", root]);
  assertEquals(human.code, 0);
  ok(human.stdout.includes(`id ${letter!.id}`), human.stdout);
  ok(human.stdout.includes("error: Doomed 7 is broken"), human.stdout);
  ok(human.stdout.endsWith(`1 dead letter of "Doomed"\n`), human.stdout);

  await Deno.writeTextFile(join(root, "out/fixed"), "");
  const replay = await rohas(["dlq", "replay", "Doomed", "--id", letter!.id, "-C", root]);
  assertEquals(replay.stderr, "");
  assertEquals(replay.code, 0);
  assertEquals(
    replay.stdout,
    `Replayed 1 dead letter of "Doomed" through the engine at http://127.0.0.1:${port}\n`,
  );
  const delivered = await eventually("the replayed delivery", async () => {
    const text = await Deno.readTextFile(join(root, "out/delivered.log")).catch(() => "");
    return text === "" ? undefined : text;
  });
  assertEquals(delivered, `{"n":7}\n`);
  assertEquals(await listJson(root), []);
  const empty = await rohas(["dlq", "list", "Doomed", "-C", root]);
  assertEquals(empty.stdout, `No dead letters of "Doomed"\n`);
});

Deno.test("rohas dlq reaches rocksdb dead letters through the engine holding the store, then directly, and a replay is delivered on the next start", async () => {
  const port = freePort();
  await using project = await tempProject({
    "config/rohas.toml": config(port, `type = "rocksdb"`),
    "schema/app.ro": SCHEMA,
    "src/handlers/api/emit.ts": EMIT,
    "src/handlers/events/doomed.ts": DOOMED,
    "out/.keep": "",
  });
  const root = project.path;
  let id: string;
  {
    await using engine = await startDev(root);
    const emitted = await fetch(`${engine.url}/emit`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ n: 5 }),
    });
    assertEquals(emitted.status, 200);
    await emitted.body?.cancel();
    // The engine holds the store's lock, so the command goes through its workbench API.
    const [letter] = await eventually("the dead letter", async () => {
      const letters = await listJson(root, "Doomed");
      return letters.length > 0 ? letters : undefined;
    });
    assertEquals(letter!.group, "dlq-test.doomed");
    assertEquals(letter!.payload, { n: 5 });
    ok(letter!.error.includes("Doomed 5 is broken"), letter!.error);
    id = letter!.id;
  }

  // The engine stopped: the command opens the store itself.
  const listed = await rohas(["dlq", "list", "-C", root]);
  assertEquals(listed.code, 0);
  ok(listed.stdout.includes(`id ${id}`), listed.stdout);
  ok(listed.stdout.endsWith("1 dead letter\n"), listed.stdout);
  await Deno.writeTextFile(join(root, "out/fixed"), "");
  const replay = await rohas(["dlq", "replay", "Doomed", "--all", "-C", root]);
  assertEquals(replay.stderr, "");
  assertEquals(replay.stdout, `Replayed 1 dead letter of "Doomed" through the rocksdb adapter\n`);

  await using engine = await startDev(root);
  const delivered = await eventually("the replayed delivery", async () => {
    const text = await Deno.readTextFile(join(root, "out/delivered.log")).catch(() => "");
    return text === "" ? undefined : text;
  });
  assertEquals(delivered, `{"n":5}\n`);
  assertEquals(await listJson(root), []);
  ok(engine.url.endsWith(`:${port}`));
});

Deno.test("rohas dlq opens a denokv store beside the running engine, which delivers the replayed letter", async () => {
  await using project = await tempProject({
    "config/rohas.toml": config(freePort(), `type = "denokv"`),
    "schema/app.ro": SCHEMA,
    "src/handlers/api/emit.ts": EMIT,
    "src/handlers/events/doomed.ts": DOOMED,
    "out/.keep": "",
  });
  const root = project.path;
  await using engine = await startDev(root, { workbench: false });
  const emitted = await fetch(`${engine.url}/emit`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ n: 11 }),
  });
  assertEquals(emitted.status, 200);
  await emitted.body?.cancel();
  const [letter] = await eventually("the dead letter", async () => {
    const letters = await listJson(root);
    return letters.length > 0 ? letters : undefined;
  });
  assertEquals(letter!.payload, { n: 11 });
  ok(letter!.error.includes("Doomed 11 is broken"), letter!.error);

  await Deno.writeTextFile(join(root, "out/fixed"), "");
  const replay = await rohas(["dlq", "replay", "Doomed", "--id", letter!.id, "-C", root]);
  assertEquals(replay.stderr, "");
  assertEquals(replay.stdout, `Replayed 1 dead letter of "Doomed" through the denokv adapter\n`);
  const delivered = await eventually("the replayed delivery", async () => {
    const text = await Deno.readTextFile(join(root, "out/delivered.log")).catch(() => "");
    return text === "" ? undefined : text;
  });
  assertEquals(delivered, `{"n":11}\n`);
  assertEquals(await listJson(root), []);
});

Deno.test("rohas dlq says no engine is running when the memory adapter's engine is not listening", async () => {
  const port = freePort();
  await using project = await tempProject({
    "config/rohas.toml": config(port, `type = "memory"`),
    "schema/app.ro": SCHEMA,
  });
  const run = await rohas(["dlq", "list", "-C", project.path]);
  assertEquals(run.code, 1);
  assertEquals(run.stdout, "");
  assertEquals(
    run.stderr,
    `Error: No engine is running at http://127.0.0.1:${port}: start it with rohas dev, or use a durable adapter\n`,
  );
});

Deno.test("rohas dlq refuses an engine without the workbench API, and one serving another project", async () => {
  const port = freePort();
  const files = { "config/rohas.toml": config(port, `type = "memory"`), "schema/app.ro": SCHEMA };
  await using mine = await tempProject(files);
  await using other = await tempProject(files);
  {
    await using _engine = await startDev(mine.path, { workbench: false });
    const run = await rohas(["dlq", "list", "-C", mine.path]);
    assertEquals(run.code, 1);
    assertEquals(
      run.stderr,
      `Error: The engine at http://127.0.0.1:${port} does not serve the workbench API: start it with rohas dev (without --no-workbench) or rohas start --workbench\n`,
    );
  }
  await using _engine = await startDev(other.path);
  const run = await rohas(["dlq", "list", "-C", mine.path]);
  assertEquals(run.code, 1);
  ok(
    run.stderr.startsWith(`Error: The engine at http://127.0.0.1:${port} serves another project`),
    run.stderr,
  );
});

Deno.test("rohas dlq rejects a replay without --all or --id, and an unknown action, with exit code 2", async () => {
  const none = await rohas(["dlq", "replay", "Doomed"]);
  assertEquals(none.code, 2);
  ok(none.stderr.startsWith("Error: Expected either --all or one or more --id <id>\nUsage: "));
  const both = await rohas(["dlq", "replay", "Doomed", "--all", "--id", "x"]);
  assertEquals(both.code, 2);
  ok(both.stderr.startsWith("Error: Expected either --all or one or more --id <id>\n"));
  const unknown = await rohas(["dlq", "purge"]);
  assertEquals(unknown.code, 2);
  ok(unknown.stderr.startsWith(`Error: Invalid <action> "purge": expected "list" or "replay"\n`));
});

Deno.test("rohas dlq lists and replays dead letters of a durable adapter (NATS JetStream) opened from the config", async () => {
  const url = Deno.env.get("ROHAS_TEST_NATS_URL");
  ok(url, "ROHAS_TEST_NATS_URL is not set: start the brokers with scripts/brokers/start.sh nats");
  const stream = `ROHAS_DLQTEST_${crypto.randomUUID().slice(0, 8)}`;
  await using project = await tempProject({
    // A project name of its own: NATS streams of one service share subjects, so a stream left
    // behind by another run must not overlap this one.
    "config/rohas.toml": config(
      freePort(),
      `type = "nats"\nurl = "${url}"\nstream = "${stream}"`,
      `dlq-test-${stream.slice(-8).toLowerCase()}`,
    ),
    "schema/app.ro": SCHEMA,
  });
  const root = project.path;
  const { config: loaded } = await loadConfig(root, { env: {} });
  const adapter = await createAdapter(loaded.adapter, {
    projectRoot: root,
    service: loaded.project.name,
  });
  const bus = new EventBus(adapter, { retry: { maxAttempts: 1, backoffMs: 1, maxBackoffMs: 1 } });
  await bus.start();
  try {
    const failing = await bus.subscribe("Doomed", "dlq-test.doomed", () => {
      return Promise.reject(new Error("Doomed 9 is broken"));
    });
    await bus.publish("Doomed", { n: 9 }, { parentId: null, source: "api:Emit" });
    const [letter] = await eventually("the dead letter", async () => {
      const letters = await listJson(root, "Doomed.dlq");
      return letters.length > 0 ? letters : undefined;
    });
    assertEquals(letter!.group, "dlq-test.doomed");
    assertEquals(letter!.error, "Doomed 9 is broken");
    assertEquals(letter!.payload, { n: 9 });
    await failing.close();

    const delivered = Promise.withResolvers<unknown>();
    await bus.subscribe("Doomed", "dlq-test.doomed", (envelope) => {
      delivered.resolve(envelope.payload);
      return Promise.resolve();
    });
    const replay = await rohas(["dlq", "replay", "Doomed", "--all", "-C", root]);
    assertEquals(replay.stderr, "");
    assertEquals(replay.stdout, `Replayed 1 dead letter of "Doomed" through the nats adapter\n`);
    assertEquals(await delivered.promise, { n: 9 });
    assertEquals(await listJson(root), []);
  } finally {
    await bus.close();
    await deleteStreams(url!, [stream, `${stream}_DLQ`]);
  }
});

async function deleteStreams(url: string, streams: string[]): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    for (const stream of streams) await jsm.streams.delete(stream).catch(() => false);
  } finally {
    await nc.close();
  }
}
