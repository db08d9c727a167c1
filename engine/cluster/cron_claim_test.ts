import assert from "node:assert/strict";
import type { StateSection } from "../../project/mod.ts";
import { openState } from "../../state/mod.ts";
import { CRON_CLAIM_PREFIX, type CronClaimRecord, kvCronClaim } from "./cron_claim.ts";

const NATS = Deno.env.get("ROHAS_TEST_NATS_URL") ?? "nats://127.0.0.1:14222";
const PG = Deno.env.get("ROHAS_TEST_PG_URL") ?? "postgres://postgres@127.0.0.1:55432/postgres";

/** Three connections to one store, as three instances hold: each tick is won by exactly one. */
async function oneWinnerPerTick(section: StateSection): Promise<void> {
  const namespace = `claims${crypto.randomUUID().slice(0, 8)}`;
  const stores = await Promise.all(
    ["a", "b", "c"].map(() => openState(section, { root: ".", namespace })),
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
    const entry = await stores[0]!.get<CronClaimRecord>([...CRON_CLAIM_PREFIX, "Beat"]);
    assert.equal(entry.value?.tick, ticks.at(-1)!.getTime(), "one key per job: the last tick");
    assert.match(entry.value?.instance ?? "", /^i[012]$/);
    const late = await Promise.all(claims.map((claim) => claim("Beat", ticks[3]!)));
    assert.deepEqual(late, [false, false, false], "a tick older than the last claimed is lost");
  } finally {
    await Promise.all(stores.map((kv) => kv.close()));
  }
}

Deno.test("kvCronClaim() lets one of three handles on one Deno KV file win each tick", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await oneWinnerPerTick({ type: "denokv", path: `${dir}/state.kv`, url: "" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("kvCronClaim() lets one of three NATS connections win each tick", async () => {
  await oneWinnerPerTick({ type: "nats", path: "", url: NATS });
});

Deno.test("kvCronClaim() lets one of three PostgreSQL connections win each tick", async () => {
  await oneWinnerPerTick({ type: "postgres", path: "", url: PG });
});
