/**
 * A promise wrapper over the callback API of `npm:rocksdb`, with group commit: writes asked for
 * while another write is running are merged into the next batch, and a batch is synced to disk
 * when any of its writes asked for it.
 *
 * @module
 */

import rocksdb from "rocksdb";
import { BrokerError, BrokerUnreachableError } from "../_support/mod.ts";

/** One write of a batch. */
export type Op = { type: "put"; key: string; value: string } | { type: "del"; key: string };

/** A key range; bounds compare as bytes. */
export interface Range {
  gte: string;
  lt: string;
  /** Newest (highest key) first. */
  reverse?: boolean;
  /** At most this many entries. */
  limit?: number;
}

// deno-lint-ignore no-explicit-any
type Native = any;
type Callback<T> = (error: unknown, value?: T) => void;

interface PendingWrite {
  ops: Op[];
  sync: boolean;
  done: PromiseWithResolvers<void>;
}

/** An open database. */
export class Db {
  readonly path: string;
  readonly #db: Native;
  #queue: PendingWrite[] = [];
  #writing: Promise<void> | undefined;

  private constructor(db: Native, path: string) {
    this.#db = db;
    this.path = path;
  }

  /**
   * Opens (creating) the database at a directory; only one process (and one adapter) at a time.
   *
   * @throws {BrokerUnreachableError} when the directory cannot be opened, for example because
   * another engine holds its lock
   */
  static async open(path: string): Promise<Db> {
    try {
      await Deno.mkdir(path, { recursive: true });
      const db = rocksdb(path);
      await call<void>((cb) => db.open({ createIfMissing: true }, cb));
      return new Db(db, path);
    } catch (error) {
      const locked = /lock/i.test(String(error));
      throw new BrokerUnreachableError("rocksdb", path, {
        setting: "[adapter] path",
        cause: error,
        ...(locked
          ? { hint: "another Rohas engine has this database open; only one process may open it" }
          : {}),
      });
    }
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
        await call<void>((cb) => this.#db.batch(ops, { sync }, cb));
        for (const write of batch) write.done.resolve();
      } catch (error) {
        const failure = new BrokerError(
          `Cannot write the rocksdb database "${this.path}": ${String(error)}`,
          { cause: error },
        );
        for (const write of batch) write.done.reject(failure);
      }
    }
    this.#writing = undefined;
  }

  /** Reads one value, or undefined. */
  async get(key: string): Promise<string | undefined> {
    try {
      return await call<string>((cb) => this.#db.get(key, { asBuffer: false }, cb));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw new BrokerError(`Cannot read the rocksdb database "${this.path}": ${String(error)}`, {
        cause: error,
      });
    }
  }

  /** Reads a key range at once. */
  async scan(range: Range): Promise<[string, string][]> {
    const it = this.#db.iterator({
      gte: range.gte,
      lt: range.lt,
      reverse: range.reverse ?? false,
      limit: range.limit ?? -1,
      keyAsBuffer: false,
      valueAsBuffer: false,
    });
    const entries: [string, string][] = [];
    try {
      for (;;) {
        const entry = await new Promise<[string, string] | null>((resolve, reject) =>
          it.next((e: unknown, k?: string, v?: string) =>
            e ? reject(e) : resolve(k === undefined ? null : [k, v ?? ""])
          )
        );
        if (!entry) return entries;
        entries.push(entry);
      }
    } finally {
      await new Promise<void>((resolve) => it.end(() => resolve()));
    }
  }

  /** Deletes a key range. */
  clear(range: Range): Promise<void> {
    return call<void>((cb) => this.#db.clear({ gte: range.gte, lt: range.lt }, cb));
  }

  /** Resolves once every write asked for so far has landed (or failed). */
  async idle(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  /** Waits for pending writes, then closes the database. */
  async close(): Promise<void> {
    await this.idle();
    await call<void>((cb) => this.#db.close(cb));
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
