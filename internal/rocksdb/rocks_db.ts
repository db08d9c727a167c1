/**
 * One promise wrapper over the callback API of `npm:rocksdb` (leveldown-style), shared by the
 * `rocksdb` event adapter and the `rocksdb` telemetry store. The native module is imported when the
 * first database opens, so importing this file (or a door that re-exports it) loads no native
 * code: a project that configures neither loads none.
 *
 * @module
 */

/** One write of a batch. */
export type RocksOp = { type: "put"; key: string; value: string } | { type: "del"; key: string };

/** A key range; bounds compare as bytes. */
export interface RocksRange {
  /** The first key, included. */
  gte: string;
  /** The end, excluded. */
  lt: string;
  /** Highest key first. Default false. */
  reverse?: boolean;
  /** At most this many entries. Default: all. */
  limit?: number;
}

/** What a call was doing when it failed, for {@linkcode RocksOpenOptions.describeError}. */
export type RocksAction = "open" | "read" | "write" | "close";

/** Options of {@linkcode RocksDb.open}. */
export interface RocksOpenOptions {
  /**
   * Turns a failure of `open`, `batch`, `get`, `getMany` or `close` into the caller's error
   * (scans and `clear` reject with the native error). Default: the native error as it is.
   */
  describeError?: (error: unknown, action: RocksAction) => Error;
}

// deno-lint-ignore no-explicit-any
type Native = any;
type Callback<T> = (error: unknown, value?: T) => void;

/**
 * An open RocksDB database: one directory, one process at a time.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { RocksDb } from "./mod.ts";
 *
 * const path = await Deno.makeTempDir();
 * const db = await RocksDb.open(path);
 * await db.batch([{ type: "put", key: "a|1", value: "one" }, { type: "put", key: "a|2", value: "two" }]);
 * assertEquals(await db.get("a|1"), "one");
 * assertEquals(await db.scanAll({ gte: "a|", lt: "a}", reverse: true }), [["a|2", "two"], ["a|1", "one"]]);
 * await db.close();
 * await Deno.remove(path, { recursive: true });
 * ```
 */
export class RocksDb {
  /** The database directory. */
  readonly path: string;
  readonly #db: Native;
  readonly #describe: (error: unknown, action: RocksAction) => unknown;

  private constructor(db: Native, path: string, options: RocksOpenOptions) {
    this.#db = db;
    this.path = path;
    this.#describe = options.describeError ?? ((error) => error);
  }

  /**
   * Opens (creating) the database at a directory, compressed.
   *
   * @param path the directory
   * @param options how failures are reported
   * @returns the open database
   */
  static async open(path: string, options: RocksOpenOptions = {}): Promise<RocksDb> {
    const describe = options.describeError ?? ((error: unknown) => error);
    try {
      await Deno.mkdir(path, { recursive: true });
      const { default: rocksdb } = await import("rocksdb");
      const db = rocksdb(path);
      await call<void>((cb) => db.open({ createIfMissing: true, compression: true }, cb));
      return new RocksDb(db, path, options);
    } catch (error) {
      throw describe(error, "open");
    }
  }

  /**
   * Applies writes atomically.
   *
   * @param ops the writes
   * @param options `sync`: resolve only once the batch is on disk (default false)
   */
  async batch(ops: RocksOp[], options: { sync?: boolean } = {}): Promise<void> {
    if (ops.length === 0) return;
    await this.#described("write", (cb) => {
      // A chained batch: one native call per write with its two strings, where an array of ops
      // has the native side read each op object's fields (measured, 11 alternating rounds of 100
      // batches of 200 writes of 450 bytes: median 7.5 against 8.8 us of CPU per write).
      const batch = this.#db.batch();
      for (let i = 0; i < ops.length; i++) {
        const op = ops[i]!;
        if (op.type === "put") batch.put(op.key, op.value);
        else batch.del(op.key);
      }
      batch.write({ sync: options.sync ?? false }, cb);
    });
  }

  /**
   * Reads one value.
   *
   * @param key the key
   * @returns its value, or undefined when there is none
   */
  async get(key: string): Promise<string | undefined> {
    try {
      return await call<string>((cb) => this.#db.get(key, { asBuffer: false }, cb));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw this.#describe(error, "read");
    }
  }

  /**
   * Reads many values in one call (one trip to the database's thread, not one per key).
   *
   * @param keys the keys
   * @returns their values, undefined where there is none
   */
  getMany(keys: string[]): Promise<(string | undefined)[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.#described("read", (cb) => this.#db.getMany(keys, { asBuffer: false }, cb));
  }

  /**
   * Iterates a key range; stop early by breaking out of the loop.
   *
   * @param range the keys, their order and how many
   * @returns the entries as `[key, value]`
   */
  async *scan(range: RocksRange): AsyncGenerator<[string, string]> {
    const it = this.#db.iterator({
      gte: range.gte,
      lt: range.lt,
      reverse: range.reverse ?? false,
      limit: range.limit ?? -1,
      keyAsBuffer: false,
      valueAsBuffer: false,
    });
    try {
      for (;;) {
        const entry = await new Promise<[string, string] | null>((resolve, reject) =>
          it.next((e: unknown, k?: string, v?: string) =>
            e ? reject(e) : resolve(k === undefined ? null : [k, v ?? ""])
          )
        );
        if (!entry) return;
        yield entry;
      }
    } finally {
      await new Promise<void>((resolve) => it.end(() => resolve()));
    }
  }

  /**
   * Reads a key range at once.
   *
   * @param range the keys, their order and how many
   * @returns the entries as `[key, value]`
   */
  async scanAll(range: RocksRange): Promise<[string, string][]> {
    const entries: [string, string][] = [];
    for await (const entry of this.scan(range)) entries.push(entry);
    return entries;
  }

  /**
   * Deletes a key range.
   *
   * @param range the keys (`reverse` and `limit` do not apply)
   */
  clear(range: RocksRange): Promise<void> {
    return call<void>((cb) => this.#db.clear({ gte: range.gte, lt: range.lt }, cb));
  }

  /** Closes the database. */
  close(): Promise<void> {
    return this.#described("close", (cb) => this.#db.close(cb));
  }

  async #described<T>(action: RocksAction, run: (cb: Callback<T>) => void): Promise<T> {
    try {
      return await call<T>(run);
    } catch (error) {
      throw this.#describe(error, action);
    }
  }
}

function call<T>(run: (cb: Callback<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    run((error, value) => error ? reject(error) : resolve(value as T));
  });
}

function isNotFound(error: unknown): boolean {
  return typeof error === "object" && error !== null &&
    ((error as { notFound?: boolean }).notFound === true ||
      /NotFound/.test(String((error as Error).message)));
}
