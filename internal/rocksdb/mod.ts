/**
 * RocksDB for the subsystems that keep data in it (the `rocksdb` event adapter, the `rocksdb`
 * telemetry store). Internal: not part of the published API.
 *
 * @module
 */

export {
  type RocksAction,
  RocksDb,
  type RocksOp,
  type RocksOpenOptions,
  type RocksRange,
} from "./rocks_db.ts";
