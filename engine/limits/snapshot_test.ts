// The workbench's view of the limits: what runs hold and what budgets used, read from the store
// every instance shares.
import assert from "node:assert/strict";
import { createMemoryKvBackend, kvOver } from "../../state/mod.ts";
import { type AppModel, singleHandlerModel, type SubscriptionControls } from "../app_model.ts";
import { Limiter, limitsSnapshot } from "./mod.ts";

function modelWith(controls: SubscriptionControls): AppModel {
  return singleHandlerModel({ project: "p", root: "/p", event: "Paid", handler: "sync", controls });
}

Deno.test("the snapshot shows runs in flight per key and what each key used of its budget", async () => {
  const kv = kvOver(createMemoryKvBackend());
  const controls: SubscriptionControls = {
    concurrency: { limit: 2, key: "user" },
    rate: { limit: 10, period_ms: 3_600_000, key: "user" },
  };
  const limiter = Limiter.of(controls, { kv, instanceId: "i0", group: "p.sync" })!;
  const release = Promise.withResolvers<void>();
  const running = Promise.withResolvers<void>();
  const held = limiter.run({ payload: { user: "ada" }, attempt: 1 }, () => {
    running.resolve();
    return release.promise;
  });
  await running.promise;
  await limiter.run({ payload: { user: "bo" }, attempt: 1 }, () => Promise.resolve());
  const [sync] = await limitsSnapshot(kv, modelWith(controls));
  assert.deepEqual(sync?.concurrency, {
    limit: 2,
    keys: [{ key: '"ada"', in_flight: 1, instances: ["i0"] }],
  });
  assert.deepEqual(sync?.rate?.keys, [{ key: '"ada"', used: 1 }, { key: '"bo"', used: 1 }]);
  release.resolve();
  await held;
  const [after] = await limitsSnapshot(kv, modelWith(controls));
  assert.deepEqual(after?.concurrency?.keys, [], "a settled run frees its slot");
  limiter.close();
  await kv.close();
});
