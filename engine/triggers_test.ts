import assert from "node:assert/strict";
import type { Effect } from "./runtime/contract.ts";
import type { PublishOptions } from "./parts.ts";
import { planTriggers, publishTriggers, unwrapResult } from "./triggers.ts";

Deno.test("unwrapResult() unwraps {data: X}, keeps other values, gives {} for nothing", () => {
  assert.deepEqual(unwrapResult({ kind: "json", value: { data: { id: 1 } } }), { id: 1 });
  assert.deepEqual(unwrapResult({ kind: "json", value: [1, 2] }), [1, 2]);
  assert.deepEqual(unwrapResult({ kind: "json", value: null }), {});
  assert.deepEqual(unwrapResult(null), {});
});

Deno.test("planTriggers() puts manual triggers first, then each schema trigger once", () => {
  const effects: Effect[] = [
    { kind: "trigger", event: "Audit", payload: 1 },
    { kind: "set_payload", event: "Created", payload: "first" },
    { kind: "trigger", event: "Audit", payload: 2 },
    { kind: "set_payload", event: "Created", payload: "last" },
    { kind: "set_payload", event: "NotListed", payload: "ignored" },
  ];
  assert.deepEqual(
    planTriggers(effects, ["Created", "Done", "Created"], {
      kind: "json",
      value: { data: "result" },
    }),
    [
      { event: "Audit", payload: 1, origin: "state.triggerEvent" },
      { event: "Audit", payload: 2, origin: "state.triggerEvent" },
      { event: "Created", payload: "last", origin: "state.setPayload" },
      { event: "Done", payload: "result", origin: "the handler's result" },
    ],
  );
});

Deno.test("publishTriggers() publishes in order with the cause's trace id and distinct keys", async () => {
  const published: [string, unknown, PublishOptions][] = [];
  const publisher = {
    publish(topic: string, payload: unknown, options: PublishOptions) {
      published.push([topic, payload, options]);
      return Promise.resolve();
    },
  };
  const records = await publishTriggers(publisher, {
    effects: [{ kind: "trigger", event: "A", payload: 1 }],
    output: { kind: "json", value: { data: 2 } },
    schemaTriggers: ["B"],
  }, { source: "api:X", traceId: "t1" });
  assert.deepEqual(published, [
    ["A", 1, { parentId: "t1", source: "api:X", idempotencyKey: "t1:0" }],
    ["B", 2, { parentId: "t1", source: "api:X", idempotencyKey: "t1:1" }],
  ]);
  assert.deepEqual(records.map((r) => r.event_name), ["A", "B"]);
});
