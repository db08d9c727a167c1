import assert from "node:assert/strict";
import { openState } from "../../state/mod.ts";
import { CRON_CLAIM_PREFIX, kvCronClaim } from "./cron_claim.ts";

Deno.test("kvCronClaim() lets one of several stores on one Deno KV file win each tick", async () => {
  const dir = await Deno.makeTempDir();
  const section = { type: "denokv" as const, path: `${dir}/state.kv`, url: "" };
  const stores = await Promise.all(
    ["a", "b", "c"].map(() => openState(section, { root: dir, namespace: "shop" })),
  );
  try {
    const claims = stores.map((kv, i) => kvCronClaim(kv, { instanceId: `i${i}` }));
    const ticks = Array.from({ length: 20 }, (_, n) => new Date(Date.UTC(2026, 0, 1, 0, 0, n)));
    for (const tick of ticks) {
      const won = await Promise.all(claims.map((claim) => claim("Beat", tick)));
      assert.equal(won.filter((w) => w).length, 1, `tick ${tick.toISOString()}: ${won}`);
    }
    const other = await Promise.all(claims.map((claim) => claim("Report", ticks[0]!)));
    assert.equal(other.filter((w) => w).length, 1, "another job's tick is claimed on its own");
    const entry = await stores[0]!.get<{ instance: string }>([
      ...CRON_CLAIM_PREFIX,
      "Beat",
      ticks[0]!.getTime(),
    ]);
    assert.match(entry.value?.instance ?? "", /^i[012]$/);
  } finally {
    await Promise.all(stores.map((kv) => kv.close()));
    await Deno.remove(dir, { recursive: true });
  }
});
