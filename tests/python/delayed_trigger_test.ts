/**
 * A Python handler's `state.trigger_event(E, payload, delay=..., at=..., key=...)` and
 * `state.cancel_event(E, key)` (the generated `state.py`), through the Python runtime: the effects
 * carry the due time in milliseconds since the epoch and the key; bad options fail at the call.
 */

import assert from "node:assert/strict";
import type { HandlerRef, InvocationResult } from "../../engine/runtime/mod.ts";
import { createPythonRuntime } from "../../engine/runtime/python/mod.ts";
import { preparedCopy } from "./_hello_world.ts";

const HANDLERS = `from datetime import datetime, timedelta, timezone

from generated.state import State


async def handle_later(req, state: State):
    state.trigger_event("UserCreated", {"n": 1}, delay=timedelta(seconds=2), key="user-1")
    state.trigger_event("UserCreated", {"n": 2}, delay=500)
    state.trigger_event("UserCreated", {"n": 3}, at="2030-01-01T09:00:00Z")
    state.trigger_event("UserCreated", {"n": 4}, at=datetime(2030, 1, 1, 9, tzinfo=timezone.utc))
    state.cancel_event("UserCreated", "user-0")
    return {}


async def handle_both(req, state: State):
    state.trigger_event("UserCreated", {}, delay=1000, at="2030-01-01T09:00:00Z")


async def handle_negative(req, state: State):
    state.trigger_event("UserCreated", {}, delay=-1)


async def handle_bad_time(req, state: State):
    state.trigger_event("UserCreated", {}, at="next tuesday")


async def handle_key_only(req, state: State):
    state.trigger_event("UserCreated", {}, key="k")
`;

Deno.test("a Python handler's delayed triggers and cancels reach the engine as effects with due time and key", async () => {
  await using copy = await preparedCopy();
  await Deno.writeTextFile(`${copy.root}/src/handlers/api/later.py`, HANDLERS);
  await using runtime = await createPythonRuntime({ root: copy.root });
  const call = (name: string): Promise<InvocationResult> => {
    const handler: HandlerRef = {
      kind: "api",
      name,
      owner: name,
      language: "python",
      file: `${copy.root}/src/handlers/api/later.py`,
      exports: [`handle_${name}`],
      profile: "default",
    };
    const input = { kind: "api" as const, request: { queryParams: {}, headers: {} } };
    return runtime.invoke({ handler, input, traceId: "t-1", timeoutMs: 20_000 });
  };
  const before = Date.now();
  const result = await call("later");
  assert.ok(result.ok, JSON.stringify(result));
  const [first, second, third, fourth, cancel] = result.effects;
  assert.equal(first?.kind === "trigger" && first.key, "user-1");
  const at = (e: typeof first) => (e?.kind === "trigger" ? e.at ?? Number.NaN : Number.NaN);
  assert.ok(Math.abs(at(first) - (before + 2_000)) < 1_000, `first due at ${at(first)}`);
  assert.ok(Math.abs(at(second) - (before + 500)) < 1_000, `second due at ${at(second)}`);
  assert.equal(at(third), Date.parse("2030-01-01T09:00:00Z"));
  assert.equal(at(fourth), Date.parse("2030-01-01T09:00:00Z"));
  assert.deepEqual(cancel, { kind: "cancel_event", event: "UserCreated", key: "user-0" });
  const refusals: [string, RegExp][] = [
    ["both", /give delay or at, not both/],
    ["negative", /delay must be a timedelta or milliseconds from 0, got -1/],
    ["bad_time", /at must be a datetime, an ISO 8601 time .* got 'next tuesday'/],
    ["key_only", /a key names a delayed event: give delay or at too/],
  ];
  for (const [name, message] of refusals) {
    const refused = await call(name);
    assert.ok(!refused.ok, `${name} should fail`);
    assert.equal(refused.error.name, "ValueError");
    assert.match(refused.error.message, message);
    assert.match(refused.error.message, /^Invalid state\.trigger_event\("UserCreated"\) options/);
  }
});
