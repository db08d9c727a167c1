import assert from "node:assert/strict";
import { AdapterClosedError } from "../errors.ts";
import { BrokerError } from "./errors.ts";
import { BrokerLifecycle, resolveBrokerOptions } from "./lifecycle.ts";

Deno.test("resolveBrokerOptions() names the service rohas and ignores background errors by default", () => {
  const resolved = resolveBrokerOptions({ env: {} });
  assert.equal(resolved.service, "rohas");
  assert.deepEqual(resolved.env, {});
  assert.doesNotThrow(() => resolved.onError(new Error("Lost")));
  assert.equal(resolveBrokerOptions({ service: "shop" }).service, "shop");
});

Deno.test("BrokerLifecycle closes every live subscription once and refuses work afterwards", async () => {
  const lifecycle = new BrokerLifecycle<{ close(): Promise<void> }>("nats");
  const closed: string[] = [];
  const forgotten = { close: () => Promise.resolve(void closed.push("forgotten")) };
  lifecycle.add({ close: () => Promise.resolve(void closed.push("first")) });
  lifecycle.add(forgotten);
  lifecycle.forget(forgotten);
  lifecycle.assertOpen("publish");
  assert.equal(await lifecycle.close(), true);
  assert.equal(await lifecycle.close(), false);
  assert.deepEqual(closed, ["first"]);
  assert.equal(lifecycle.closed, true);
  assert.throws(() => lifecycle.assertOpen(`publish to "Ping"`), (error: unknown) => {
    assert.ok(error instanceof AdapterClosedError);
    assert.equal(error.message, `Adapter "nats" is closed: cannot publish to "Ping"`);
    return true;
  });
});

Deno.test("BrokerLifecycle.live() refuses a call before start() with a BrokerError", () => {
  const lifecycle = new BrokerLifecycle("kafka");
  assert.throws(() => lifecycle.live(null, "list dead letters"), (error: unknown) => {
    assert.ok(error instanceof BrokerError);
    assert.equal(error.message, `Adapter "kafka" is not started: cannot list dead letters`);
    return true;
  });
  const connection = { id: 1 };
  assert.equal(lifecycle.live(connection, "publish"), connection);
});
