/**
 * The stores that need more than memory, each loaded only when it is opened: RocksDB needs FFI
 * (and reads and writes), the TimescaleDB store the PostgreSQL client, the InfluxDB store the
 * network. An app on a memory store never loads them, so it runs without `--allow-ffi` or writes.
 *
 * @module
 */

import type { RocksdbStoreOptions } from "./rocksdb_store.ts";
import type { TelemetryStore } from "./store.ts";
import { importOnDemand } from "../_import_on_demand.ts";

/**
 * Opens (creating it when missing) a RocksDB telemetry store; loads the native module now.
 *
 * @param options the directory
 * @returns the open store
 * @throws {TelemetryError} when the database cannot be opened (locked by another process)
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { openRocksdbStore } from "./open_store.ts";
 *
 * const path = await Deno.makeTempDir();
 * const store = await openRocksdbStore({ path });
 * assertEquals(await store.queryTraces(), []);
 * await store.close();
 * await Deno.remove(path, { recursive: true });
 * ```
 */
export async function openRocksdbStore(options: RocksdbStoreOptions): Promise<TelemetryStore> {
  const { openRocksdbStore } = await importOnDemand<typeof import("./rocksdb_store.ts")>(
    "./rocksdb_store.ts",
    import.meta.url,
  );
  return openRocksdbStore(options);
}

/**
 * Opens an InfluxDB 1.x telemetry store (loaded now).
 *
 * @param settings `url`, `database`, `username`, `password`
 * @returns the store
 * @throws {TelemetryError} when the server cannot be reached
 */
export async function openInfluxdbStore(
  settings: Record<string, string>,
): Promise<TelemetryStore> {
  const { openInfluxdbStore } = await importOnDemand<typeof import("./influxdb_store.ts")>(
    "./influxdb_store.ts",
    import.meta.url,
  );
  return openInfluxdbStore(settings);
}

/**
 * Opens a TimescaleDB (PostgreSQL) telemetry store; loads the PostgreSQL client now.
 *
 * @param settings `url`, `table_prefix`
 * @returns the store
 * @throws {TelemetryError} when the server cannot be reached or the tables cannot be made
 */
export async function openTimescaledbStore(
  settings: Record<string, string>,
): Promise<TelemetryStore> {
  const { openTimescaledbStore } = await importOnDemand<typeof import("./timescaledb_store.ts")>(
    "./timescaledb_store.ts",
    import.meta.url,
  );
  return openTimescaledbStore(settings);
}
