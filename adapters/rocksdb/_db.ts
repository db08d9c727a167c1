/**
 * Group commit over the shared RocksDB wrapper (internal/rocksdb): writes asked for while another
 * write is running are merged into the next batch, and a batch is synced to disk when any of its
 * writes asked for it. Failures become the adapter's errors.
 *
 * @module
 */

import {
  type RocksAction,
  RocksDb,
  type RocksOp,
  type RocksRange,
} from "../../internal/rocksdb/mod.ts";
import { BrokerError, BrokerUnreachableError } from "../_support/mod.ts";

/** One write of a batch. */
export type Op = RocksOp;

/** A key range; bounds compare as bytes. */
export type Range = RocksRange;

interface PendingWrite {
  ops: Op[];
  sync: boolean;
  done: PromiseWithResolvers<void>;
}

/** An open database. */
export class Db {
  readonly path: string;
  readonly #db: RocksDb;
  #queue: PendingWrite[] = [];
  #writing: Promise<void> | undefined;

  private constructor(db: RocksDb) {
    this.#db = db;
    this.path = db.path;
  }

  /**
   * Opens (creating) the database at a directory; only one process (and one adapter) at a time.
   *
   * @throws {BrokerUnreachableError} when the directory cannot be opened, for example because
   * another engine holds its lock
   */
  static async open(path: string): Promise<Db> {
    return new Db(
      await RocksDb.open(path, { describeError: (e, action) => describe(e, action, path) }),
    );
  }

  /**
   * Applies writes atomically, merged with concurrent writes into one batch.
   *
   * @param ops the writes
   * @param sync resolve only once the batch is on disk
   */
  write(ops: Op[], sync: boolean): Promise<void> {
    if (ops.length === 0) return Promise.resolve();
    const done = Promise.withResolvers<void>();
    this.#queue.push({ ops, sync, done });
    this.#writing ??= this.#drain();
    return done.promise;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0);
      const ops = batch.flatMap((write) => write.ops);
      const sync = batch.some((write) => write.sync);
      try {
        await this.#db.batch(ops, { sync });
        for (const write of batch) write.done.resolve();
      } catch (error) {
        for (const write of batch) write.done.reject(error);
      }
    }
    this.#writing = undefined;
  }

  /** Reads one value, or undefined. */
  get(key: string): Promise<string | undefined> {
    return this.#db.get(key);
  }

  /** Reads a key range at once. */
  scan(range: Range): Promise<[string, string][]> {
    return this.#db.scanAll(range);
  }

  /** Deletes a key range. */
  clear(range: Range): Promise<void> {
    return this.#db.clear(range);
  }

  /** Resolves once every write asked for so far has landed (or failed). */
  async idle(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  /** Waits for pending writes, then closes the database. */
  async close(): Promise<void> {
    await this.idle();
    await this.#db.close();
  }
}

function describe(error: unknown, action: RocksAction, path: string): Error {
  switch (action) {
    case "open": {
      const locked = /lock/i.test(String(error));
      return new BrokerUnreachableError("rocksdb", path, {
        setting: "[adapter] path",
        cause: error,
        ...(locked
          ? { hint: "another Rohas engine has this database open; only one process may open it" }
          : {}),
      });
    }
    case "read":
    case "write":
      return new BrokerError(`Cannot ${action} the rocksdb database "${path}": ${String(error)}`, {
        cause: error,
      });
    case "close":
      return error instanceof Error ? error : new BrokerError(String(error), { cause: error });
  }
}
