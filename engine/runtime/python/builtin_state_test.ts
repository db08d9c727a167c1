// The bridge's own state (a project without generated/state.py) takes the same delayed-trigger
// options as the generated one, run by the python3 the runtime's host uses.
import assert from "node:assert/strict";

const DIR = new URL(".", import.meta.url).pathname;

const SCRIPT = `
import json, sys
sys.path.insert(0, ${JSON.stringify(DIR)})
import _bridge
state = _bridge.BuiltinState("h")
state.trigger_event("E", {"a": 1}, delay=1500, key="k")
state.trigger_event("E", {}, at="2030-01-01T09:00:00Z")
state.cancel_event("E", "k")
try:
    state.trigger_event("E", {}, key="k")
except ValueError as error:
    state._effects.append({"refused": str(error)})
print(json.dumps(state._effects))
`;

Deno.test("the Python bridge's builtin state records delayed triggers and cancels like the generated one", async () => {
  const before = Date.now();
  const run = await new Deno.Command("python3", { args: ["-c", SCRIPT] }).output();
  const after = Date.now();
  assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
  const [later, at, cancel, refused] = JSON.parse(new TextDecoder().decode(run.stdout));
  assert.equal(later.key, "k");
  // Due 1.5 s after the call, which ran between `before` and `after` (however slow Python starts).
  assert.ok(later.at >= before + 1_500 && later.at <= after + 1_500, `due at ${later.at}`);
  assert.equal(at.at, Date.parse("2030-01-01T09:00:00Z"));
  assert.deepEqual(cancel, { kind: "cancel_event", event: "E", key: "k" });
  assert.equal(
    refused.refused,
    'Invalid state.trigger_event("E") options: a key names a delayed event: give delay or at too',
  );
});
