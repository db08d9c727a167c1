import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  type Batch,
  fromDone,
  fromWire,
  jsonOutput,
  Outbox,
  resultMessage,
  serializeError,
  toJsonValue,
  toWire,
  unbatch,
} from "./protocol.ts";
import { assert } from "./_conventions_suite.ts";

Deno.test("serializeError() keeps name, message, stack and the cause chain", () => {
  const error = new RangeError("Outer", { cause: new Error("Inner", { cause: "root text" }) });
  const serialized = serializeError(error);
  assertEquals(serialized.name, "RangeError");
  assertEquals(serialized.message, "Outer");
  assertEquals(serialized.stack, error.stack);
  assertEquals(serialized.cause?.message, "Inner");
  assertEquals(serialized.cause?.cause, { name: "Error", message: "root text" });
});

Deno.test("serializeError() keeps status and details of an HttpError only", () => {
  const http = Object.assign(new Error("Nope"), { name: "HttpError", status: 409, details: [1] });
  assertEquals([serializeError(http).status, serializeError(http).details], [409, [1]]);
  const other = Object.assign(new Error("Nope"), { status: 409 });
  assertEquals(serializeError(other).status, undefined);
});

Deno.test("serializeError() survives HttpError details that JSON cannot hold", () => {
  const http = Object.assign(new Error("Nope"), { name: "HttpError", status: 400, details: 1n });
  assertEquals(typeof serializeError(http).details, "string");
});

Deno.test("serializeError() describes thrown non-errors", () => {
  assertEquals(serializeError({ code: 7 }), { name: "Error", message: '{"code":7}' });
  assertEquals(serializeError(undefined), { name: "Error", message: "undefined" });
});

Deno.test("toJsonValue() snapshots values as JSON reads them", () => {
  const date = new Date("2026-01-02T03:04:05.000Z");
  assertEquals(toJsonValue({ at: date, gone: undefined }), { at: "2026-01-02T03:04:05.000Z" });
  assertEquals(toJsonValue(undefined), null);
});

Deno.test("Outbox sends the messages queued before a flush as one batch, a lone one as itself", () => {
  type Ping = { type: "ping"; id: number };
  const posted: Array<Ping | Batch<Ping>> = [];
  const flushes: Array<() => void> = [];
  const outbox = new Outbox<Ping>((value) => posted.push(value), (flush) => flushes.push(flush));
  outbox.send({ type: "ping", id: 1 });
  outbox.send({ type: "ping", id: 2 });
  assertEquals(flushes.length, 1);
  flushes.shift()!();
  outbox.send({ type: "ping", id: 3 });
  flushes.shift()!();
  assertEquals(posted, [
    { type: "batch", messages: [{ type: "ping", id: 1 }, { type: "ping", id: 2 }] },
    { type: "ping", id: 3 },
  ]);
  assertEquals(unbatch(posted[0]!).length, 2);
});

Deno.test("Outbox by default collects what is sent in one turn and flushes after it", async () => {
  const posted = Promise.withResolvers<unknown>();
  const outbox = new Outbox<{ type: "ping"; id: number }>((value) => posted.resolve(value));
  outbox.send({ type: "ping", id: 1 });
  await Promise.resolve();
  outbox.send({ type: "ping", id: 2 });
  assertEquals(await posted.promise, {
    type: "batch",
    messages: [{ type: "ping", id: 1 }, { type: "ping", id: 2 }],
  });
});

Deno.test("a JSON output crosses as text and parses its value once, on first read", () => {
  const output = jsonOutput('{"data":{"id":1}}');
  assert(output.kind === "json");
  assertEquals(output.json, '{"data":{"id":1}}');
  const first = output.value;
  assertEquals(first, { data: { id: 1 } });
  assertEquals(output.value === first, true);
  const result = { ok: true as const, output, effects: [], durationMs: 1 };
  const wire = toWire(result);
  assertEquals(wire.ok && wire.output, { kind: "json", json: '{"data":{"id":1}}' });
  const back = fromWire(structuredClone(wire));
  assertEquals(back.ok && back.output.kind === "json" && back.output.value, { data: { id: 1 } });
});

Deno.test("resultMessage() answers a JSON result without effects as one flat message, anything else in full", () => {
  const done = { ok: true as const, output: jsonOutput('{"n":1}'), effects: [], durationMs: 2 };
  const message = resultMessage(3, done);
  assertEquals(message, { type: "done", id: 3, json: '{"n":1}', durationMs: 2 });
  if (message.type !== "done") throw new Error("Not a done message");
  const back = fromDone(structuredClone(message));
  assertEquals([back.ok, back.ok && back.output.kind === "json" && back.output.value], [true, {
    n: 1,
  }]);
  const log = { kind: "log" as const, level: "info" as const, message: "m", fields: {}, at: "" };
  assertEquals(resultMessage(4, { ...done, effects: [log] }).type, "result");
  const failure = {
    ok: false as const,
    reason: "error" as const,
    error: { name: "Error", message: "no" },
    effects: [],
    durationMs: 1,
  };
  assertEquals(resultMessage(5, failure), { type: "result", id: 5, result: failure });
});
