// Needs InfluxDB on loopback: scripts/services/start.sh (fails, does not skip, when it is down).
import { openInfluxdbStore, storeConformance } from "../../telemetry/mod.ts";
import { dropInfluxDatabase } from "./_influx.ts";

const url = Deno.env.get("ROHAS_TEST_INFLUX_URL") ?? "http://127.0.0.1:18086";

Deno.test("the influxdb store conforms to the store contract", (t) =>
  storeConformance(t, {
    async open() {
      const database = `rohas_test_${crypto.randomUUID().replaceAll("-", "")}`;
      const store = await openInfluxdbStore({ url, database });
      return {
        store,
        async dispose() {
          await store.close();
          await dropInfluxDatabase(url, database);
        },
      };
    },
  }));
