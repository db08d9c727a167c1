/**
 * A promise wrapper over the callback API of `npm:rocksdb` (leveldown-style), with only what the
 * telemetry store needs.
 *
 * @module
 */

import rocksdb from "rocksdb";
import { TelemetryError } from "./errors.ts";

/** One write of a batch. */
export type RocksOp = { type: "put"; key: string; value: string } | { type: "del"; key: string };

/** Key range of a scan; bounds compare as bytes. */
export interface RocksRange {
  gte: string;
  lt: string;
}

// deno-lint-ignore no-explicit-any
type Native = any;
type Callback<T> = (error: unknown, value?: T) => void;

/** An open database. */
export class Rocks {
  #db: Native;
  #path: string;

  private constructor(db: Native, path: string) {
    this.#db = db;
    this.#path = path;
  }

  /** Opens (creating) the database at a directory. */
  static async open(path: string): Promise<Rocks> {
    await Deno.mkdir(path, { recursive: true });
    const db = rocksdb(path);
    await call<void>(
      (cb) => db.open({ createIfMissing: true, compression: true }, cb),
      path,
      "open",
    );
    return new Rocks(db, path);
  }

  /** Applies writes atomically. */
  batch(ops: RocksOp[]): Promise<void> {
    if (ops.length === 0) return Promise.resolve();
    return call((cb) => this.#db.batch(ops, cb), this.#path, "write");
  }

  /** Reads one value, or undefined. */
  async get(key: string): Promise<string | undefined> {
    try {
      return await call<string>(
        (cb) => this.#db.get(key, { asBuffer: false }, cb),
        this.#path,
        "read",
      );
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Reads many values in one call (one trip to the database's thread, not one per key). */
  getMany(keys: string[]): Promise<(string | undefined)[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return call<(string | undefined)[]>(
      (cb) => this.#db.getMany(keys, { asBuffer: false }, cb),
      this.#path,
      "read",
    );
  }

  /** Iterates a key range in ascending order; stop early by breaking out of the loop. */
  async *scan(range: RocksRange): AsyncGenerator<[string, string]> {
    const it = this.#db.iterator({ ...range, keyAsBuffer: false, valueAsBuffer: false });
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

  /** Closes the database. */
  close(): Promise<void> {
    return call((cb) => this.#db.close(cb), this.#path, "close");
  }
}

function call<T>(run: (cb: Callback<T>) => void, path: string, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    run((error, value) => {
      if (!error) return resolve(value as T);
      if (isNotFound(error)) return reject(error);
      // npm:rocksdb gives no error code: a held LOCK file is told only by its message.
      const hint = what === "open" && /lock/i.test(String(error))
        ? " (another process has it open: give each instance its own [telemetry] path, for " +
          "example ROHAS_TELEMETRY_PATH=.rohas/telemetry-2)"
        : "";
      reject(
        new TelemetryError(
          `Cannot ${what} the telemetry database "${path}": ${String(error)}${hint}`,
          { cause: error },
        ),
      );
    });
  });
}

function isNotFound(error: unknown): boolean {
  return typeof error === "object" && error !== null &&
    ((error as { notFound?: boolean }).notFound === true ||
      /NotFound/.test(String((error as Error).message)));
}
