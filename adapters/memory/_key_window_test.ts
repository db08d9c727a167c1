import assert from "node:assert/strict";
import { KeyWindow } from "./_key_window.ts";

Deno.test("KeyWindow reports a key seen again within its window and forgets it once the window passed", () => {
  const window = new KeyWindow(1000, 10);
  assert.equal(window.seen("a", 0), false);
  assert.equal(window.seen("b", 500), false);
  assert.equal(window.seen("a", 999), true);
  assert.equal(window.seen("a", 1000), false);
  assert.equal(window.seen("b", 1499), true);
  assert.equal(window.seen("b", 1500), false);
  assert.equal(window.size, 2);
});

Deno.test("KeyWindow forgets the oldest keys first once it holds maxKeys, for as long as it stays full", () => {
  const window = new KeyWindow(60_000, 3000);
  for (let i = 0; i < 10_000; i++) assert.equal(window.seen(`k${i}`, i), false);
  assert.equal(window.size, 3000);
  assert.equal(window.seen("k6999", 10_000), false);
  assert.equal(window.seen("k7001", 10_000), true);
  assert.equal(window.seen("k9999", 10_000), true);
  // Expiry still follows arrival order after 7,000 keys were forgotten for room.
  assert.equal(window.seen("k7002", 67_002), false);
  assert.equal(window.seen("k7003", 67_002), true);
});

Deno.test("KeyWindow keeps a full window's cost per key flat instead of walking the keys it forgot", () => {
  // A Map's iterator walks every deleted entry at its front: forgetting the oldest through it took
  // about 40 µs a key here, 10 s for these 250,000 keys; one kept iterator takes well under 1 s.
  const window = new KeyWindow(600_000, 50_000);
  const started = performance.now();
  for (let i = 0; i < 250_000; i++) window.seen(`trace:${i}`, 0);
  assert.equal(window.size, 50_000);
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 3000, `250,000 keys took ${elapsed.toFixed(0)} ms`);
});

Deno.test("KeyWindow keeps expiring and capping keys after every key it held expired", () => {
  const window = new KeyWindow(1000, 2);
  window.seen("a", 0);
  window.seen("b", 0);
  // Both expired: the window is empty before "c" is remembered, and starts its walk again.
  assert.equal(window.seen("c", 5000), false);
  assert.equal(window.size, 1);
  assert.equal(window.seen("d", 5100), false);
  assert.equal(window.seen("e", 5200), false);
  assert.equal(window.seen("c", 5300), false, "c is the oldest, forgotten to make room for e");
  assert.equal(window.seen("e", 5300), true);
  assert.equal(window.seen("e", 6200), false);
});
