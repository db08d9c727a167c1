import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  packEventCalls,
  packForEngine,
  packForWorker,
  unpackDoneCalls,
  unpackEventCalls,
} from "./_flat_calls.ts";
import type { EngineMessage, InvokeMessage, ToWorker, WorkerMessage } from "./protocol.ts";

function eventCall(id: number, sequence?: string): InvokeMessage {
  const call: InvokeMessage = {
    type: "invoke",
    id,
    handler: 2,
    version: 1,
    traceId: `trace-${id}`,
    slot: id % 4,
    input: {
      kind: "event",
      event: {
        id: `event-${id}`,
        timestamp: "2026-12-07T18:00:00.000Z",
        attempt: id,
        payload: { n: id, tags: ["a", null], nested: { ok: true } },
      },
    },
  };
  if (sequence !== undefined) call.sequence = sequence;
  return call;
}

/** What the Worker dispatches from a posted value, in order. */
function received(posted: ToWorker): EngineMessage[] {
  const out: EngineMessage[] = [];
  const messages = posted.type === "batch" ? posted.messages : [posted];
  for (const message of messages) {
    if (message.type === "event_calls") unpackEventCalls(message, (call) => out.push(call));
    else out.push(message);
  }
  return out;
}

Deno.test("event calls cross as flat runs and arrive as the calls they were, in order", () => {
  const withRef: InvokeMessage = {
    ...eventCall(3, "Ping"),
    ref: {
      kind: "event",
      name: "record",
      owner: "Ping",
      language: "typescript",
      file: "/app/record.ts",
      exports: ["handleRecord"],
      profile: "default",
    },
  };
  const cron: InvokeMessage = { ...eventCall(5), input: { kind: "cron" } };
  const messages: EngineMessage[] = [
    eventCall(1, "Ping"),
    eventCall(2),
    withRef,
    eventCall(4, "Ping"),
    { type: "end_sequence", id: 0, sequence: "Ping" },
    cron,
    eventCall(6, "Other"),
  ];
  const packed = packEventCalls(messages);
  // Two calls, the call carrying its handler reference, one call, the end, the cron call, one call.
  assertEquals(packed.map((m) => m.type), [
    "event_calls",
    "invoke",
    "event_calls",
    "end_sequence",
    "invoke",
    "event_calls",
  ]);
  const wire = packForWorker({ type: "batch", messages });
  assertEquals(received(structuredClone(wire)), messages);
});

Deno.test("a lone event call is posted packed, any other message as itself", () => {
  const call = eventCall(9, "Ping");
  const posted = packForWorker(call);
  assertEquals(posted.type, "event_calls");
  assertEquals(received(structuredClone(posted)), [call]);
  const ping: EngineMessage = { type: "ping", id: 4 };
  assertEquals(packForWorker(ping), ping);
});

Deno.test("a call without a sequence arrives without one", () => {
  const [call] = received(structuredClone(packForWorker(eventCall(1))));
  assertEquals(call !== undefined && "sequence" in call, false);
});

Deno.test("a Worker's done answers cross as flat runs, its other messages as themselves, in order", () => {
  const messages: WorkerMessage[] = [
    { type: "done", id: 1, json: '{"a":1}', durationMs: 0.25 },
    { type: "done", id: 2, json: "null", durationMs: 1 },
    { type: "kv", id: 1, request: { op: "get", key: ["k"] } },
    { type: "done", id: 3, json: '"x"', durationMs: 0 },
    { type: "pong", id: 4 },
  ];
  const posted = structuredClone(packForEngine({ type: "batch", messages }));
  assertEquals(posted.type, "batch");
  const out: WorkerMessage[] = [];
  if (posted.type === "batch") {
    assertEquals(posted.messages.map((m) => m.type), ["done_calls", "kv", "done_calls", "pong"]);
    for (const message of posted.messages) {
      if (message.type === "done_calls") unpackDoneCalls(message, (done) => out.push(done));
      else out.push(message);
    }
  }
  assertEquals(out, messages);
  // A lone message travels as itself.
  assertEquals(packForEngine(messages[0]!), messages[0]);
});

Deno.test("an event arrives with its fields in the order the engine wrote them", () => {
  const [call] = received(structuredClone(packForWorker(eventCall(2, "Ping"))));
  const input = call?.type === "invoke" ? call.input : undefined;
  const event = input?.kind === "event" ? input.event : undefined;
  assertEquals(Object.keys(event ?? {}), ["payload", "timestamp", "id", "attempt"]);
});
