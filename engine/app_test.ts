import assert from "node:assert/strict";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createMemoryAdapter } from "../adapters/memory/mod.ts";
import { compileValidators } from "../codegen/mod.ts";
import { parseDirectory } from "../parser/mod.ts";
import { loadConfig } from "../project/mod.ts";
import { createMemoryStore } from "../telemetry/mod.ts";
import { createRecorder } from "../telemetry/mod.ts";
import { createEngine } from "./app.ts";
import { buildAppModel } from "./app_model.ts";
import { EventBus } from "./events/mod.ts";
import { createInProcessRuntime } from "./runtime/mod.ts";

const root = fileURLToPath(new URL("../tests/engine/testdata/events_app", import.meta.url));

Deno.test("Engine.close() gives queued events shutdown_timeout_ms, then logs exactly how many it could not handle", async () => {
  const { config } = await loadConfig(root, { env: {} });
  config.server.shutdown_timeout_ms = 300;
  config.server.handler_timeout_ms = 60_000;
  const { schema } = await parseDirectory(`${root}/schema`);
  const model = buildAppModel(schema, config, { root, exists: () => true });
  let handled = 0;
  const stuck = Promise.withResolvers<void>();
  // A job with ms > 0 never ends: it holds the group (concurrency 1) past the deadline.
  const handleWorkJob = (event: { payload: { ms: number } }) =>
    event.payload.ms === 0 ? void handled++ : stuck.promise;
  const manifest = {
    root: pathToFileURL(`${root}/`).href,
    modules: { "src/handlers/events/work_job.ts": { handleWorkJob } },
  };
  const store = createMemoryStore();
  const bus = new EventBus(createMemoryAdapter());
  await bus.start();
  const engine = createEngine({
    model,
    config,
    runtime: createInProcessRuntime({ manifest, drainTimeoutMs: 100 }),
    bus,
    telemetry: createRecorder(store),
    validators: compileValidators(schema),
  });
  await engine.start();
  for (const ms of [0, 0, 1, 0, 0]) {
    await engine.publish("JobQueued", { n: 1, ms }, { parentId: null, source: "test" });
  }
  const report = await engine.close();
  stuck.resolve();
  assert.equal(handled, 2);
  assert.deepEqual(report, { undrainedEvents: 3 });
  const [log] = await store.queryLogs({ level: "warn" });
  assert.equal(
    log?.message,
    "3 accepted events were not handled within [server] shutdown_timeout_ms (300 ms) and are " +
      "lost: the adapter kept them only in this process",
  );
  assert.equal(log?.fields.undrained_events, "3");
});

Deno.test('[adapter] payload_checks = "log" publishes a mismatching payload and logs the mismatch', async () => {
  const { config } = await loadConfig(root, { env: {} });
  const { schema } = await parseDirectory(`${root}/schema`);
  const model = buildAppModel(schema, config, { root, exists: () => true });
  const validators = compileValidators(schema);
  const publishWrong = async (mode: "refuse" | "log") => {
    config.adapter.payload_checks = mode;
    const store = createMemoryStore();
    const bus = new EventBus(createMemoryAdapter());
    await bus.start();
    const manifest = { root: pathToFileURL(`${root}/`).href, modules: {} };
    const engine = createEngine({
      model,
      config,
      runtime: createInProcessRuntime({ manifest }),
      bus,
      telemetry: createRecorder(store),
      validators,
    });
    const outcome = await engine.publish("JobQueued", { n: "one" }, {
      parentId: null,
      source: "test",
    }).then(() => "published", (error: Error) => error.name);
    await engine.close();
    return { outcome, logs: await store.queryLogs({ level: "warn" }) };
  };
  const refused = await publishWrong("refuse");
  assert.equal(refused.outcome, "InvalidEventPayloadError");
  const logged = await publishWrong("log");
  assert.equal(logged.outcome, "published");
  assert.match(
    logged.logs[0]?.message ?? "",
    /^Published "JobQueued" with a payload that does not match \w+: .*n: .*\(\[adapter\] payload_checks = "log"\)$/,
  );
});
