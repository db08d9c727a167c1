// Needs PostgreSQL on loopback: scripts/services/start.sh (fails, does not skip, when it is down).
import postgres from "postgres";
import { storeConformance } from "../../telemetry/mod.ts";
import { openTimescaledbStore } from "../../telemetry/mod.ts";

const url = Deno.env.get("ROHAS_TEST_PG_URL") ?? "postgres://postgres@127.0.0.1:55432/postgres";

Deno.test("the timescaledb store conforms to the store contract", (t) =>
  storeConformance(t, {
    async open() {
      const prefix = `t${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}_`;
      const store = await openTimescaledbStore({ url, table_prefix: prefix });
      return {
        store,
        async dispose() {
          await store.close();
          const sql = postgres(url, { max: 1, onnotice: () => {} });
          await sql.unsafe(
            `DROP TABLE IF EXISTS ${prefix}traces, ${prefix}logs, ${prefix}samples`,
          );
          await sql.end();
        },
      };
    },
  }));

Deno.test("instances opening one new store at once all open it", async () => {
  const prefix = `t${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}_`;
  const stores = await Promise.all(
    Array.from({ length: 16 }, () => openTimescaledbStore({ url, table_prefix: prefix })),
  );
  await Promise.all(stores.map((store) => store.close()));
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  await sql.unsafe(`DROP TABLE IF EXISTS ${prefix}traces, ${prefix}logs, ${prefix}samples`);
  await sql.end();
});
