import assert from "node:assert/strict";
import { cancelKey, InvalidTriggerOptionsError, triggerTiming } from "./mod.ts";

Deno.test("triggerTiming() turns delay and at into a due time, and keeps the key", () => {
  assert.deepEqual(triggerTiming("E", undefined, 1_000), {});
  assert.deepEqual(triggerTiming("E", { delay: 0 }, 1_000), { at: 1_000 });
  assert.deepEqual(triggerTiming("E", { delay: 250, key: "k" }, 1_000), { at: 1_250, key: "k" });
  const at = Date.parse("2030-01-01T09:00:00Z");
  assert.deepEqual(triggerTiming("E", { at: "2030-01-01T09:00:00Z" }, 0), { at });
  assert.deepEqual(triggerTiming("E", { at: new Date(at) }, 0), { at });
  assert.deepEqual(triggerTiming("E", { at }, 0), { at });
});

Deno.test("triggerTiming() refuses bad options with a message naming the event", () => {
  const cases: [unknown, string][] = [
    [5, "expected an object like { delay: 5000 }, got 5"],
    [{ delay: -1 }, "delay must be milliseconds from 0, got -1"],
    [{ delay: "10s" }, 'delay must be milliseconds from 0, got "10s"'],
    [{ delay: 1e13 }, "delay 10000000000000 ms is more than ten years: is it in milliseconds?"],
    [{ at: "tomorrow" }, "at must be a Date, an ISO 8601 time"],
    [{ at: new Date(Number.NaN) }, "at must be a Date, an ISO 8601 time"],
    [{ delay: 1, at: 2 }, "give delay or at, not both"],
    [{ key: "k" }, "a key names a delayed event: give delay or at too"],
    [{ delay: 1, key: "" }, 'key must be a non-empty string, got ""'],
    [{ delay: 1, key: "x".repeat(257) }, "key has 257 characters, at most 256"],
    [{ dealy: 1 }, 'unknown option "dealy": expected delay, at or key'],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => triggerTiming("Reminder", options, 0), (error: Error) => {
      assert.ok(error instanceof InvalidTriggerOptionsError);
      assert.ok(
        error.message.startsWith('Invalid state.triggerEvent("Reminder") options: ' + message),
        error.message,
      );
      return true;
    });
  }
  assert.throws(() => cancelKey("Reminder", 7), {
    name: "InvalidTriggerOptionsError",
    message: 'Invalid state.cancelEvent("Reminder") key: key must be a non-empty string, got 7',
  });
});
