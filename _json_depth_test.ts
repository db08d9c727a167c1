import assert from "node:assert/strict";
import { exceedsJsonDepth } from "./_json_depth.ts";

Deno.test("exceedsJsonDepth() counts nesting without recursion and skips bodies too short to be deep", () => {
  const nested = (depth: number) => JSON.parse("[".repeat(depth) + "]".repeat(depth));
  assert.equal(exceedsJsonDepth(nested(128), { limit: 128 }), false);
  assert.equal(exceedsJsonDepth(nested(129), { limit: 128 }), true);
  assert.equal(exceedsJsonDepth({ a: [{ b: { c: 1 } }] }, { limit: 3 }), true);
  assert.equal(exceedsJsonDepth({ a: [{ b: 1 }], c: [[2]] }, { limit: 3 }), false);
  assert.equal(exceedsJsonDepth("text", { limit: 0 }), false);
  // A million levels: a recursive walk would overflow the stack.
  assert.equal(exceedsJsonDepth(nested(1_000_000), { limit: 128 }), true);
  // 258 bytes are the fewest a depth of 129 takes: shorter bodies are not walked.
  assert.equal(exceedsJsonDepth(nested(129), { limit: 128, bytes: 257 }), false);
  assert.equal(exceedsJsonDepth(nested(129), { limit: 128, bytes: 258 }), true);
});
