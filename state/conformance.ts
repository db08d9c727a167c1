/**
 * The one conformance suite every `[state]` backend passes, against the real service. A backend's
 * test file calls {@linkcode runKvConformance} once; it registers one `Deno.test` per behaviour.
 *
 * @example A backend's test file (it registers tests of its own, so it is not run as a documentation test)
 * ```ts ignore
 * import { createMemoryKvBackend, runKvConformance } from "./mod.ts";
 * const stores = new Map();
 * runKvConformance("memory", {
 *   open: (ns) => Promise.resolve(stores.get(ns) ?? stores.set(ns, createMemoryKvBackend()).get(ns)),
 * });
 * ```
 *
 * @module
 */

import { deepStrictEqual as assertEquals, rejects as assertRejects } from "node:assert/strict";
import { kvOver, type OwnedKv } from "./backend.ts";
import type { KvBackend } from "./backend.ts";
import { answerKvRequest, createRemoteKvBackend } from "./remote.ts";
import { KvInputError, KvUnsupportedError } from "./errors.ts";
import type { KvKey } from "./kv.ts";

/** Options of {@linkcode runKvConformance}. */
export interface KvConformanceOptions {
  /**
   * Opens a handle on the store named `namespace`: two handles on one namespace share their entries
   * (as two processes or instances would), different namespaces never do.
   */
  open: (namespace: string) => Promise<KvBackend>;
  /** Atomic operations may span several keys. False: they refuse with KvUnsupportedError. Default true. */
  multiKeyAtomic?: boolean;
  /** Keep Deno's op and resource sanitizers on. Default true. */
  sanitize?: boolean;
}

type Case = (ctx: {
  kv: OwnedKv;
  backend: KvBackend;
  open: () => Promise<OwnedKv>;
  options: KvConformanceOptions;
}) => Promise<void>;

/**
 * Registers the conformance tests of one backend.
 *
 * @param name the backend's name, used in the test names
 * @param options how to open it and what it supports
 */
export function runKvConformance(name: string, options: KvConformanceOptions): void {
  for (const [title, fn] of Object.entries(CASES)) {
    Deno.test({
      name: `state ${name}: ${title}`,
      sanitizeOps: options.sanitize ?? true,
      sanitizeResources: options.sanitize ?? true,
      async fn() {
        const namespace = `c${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
        const handles: OwnedKv[] = [];
        const open = async () => {
          const kv = kvOver(await options.open(namespace));
          handles.push(kv);
          return kv;
        };
        const backend = await options.open(namespace);
        handles.push(kvOver(backend));
        try {
          await fn({ kv: await open(), backend, open, options });
        } finally {
          for (const kv of handles) await kv.close();
        }
      },
    });
  }
}

const CASES: Record<string, Case> = {
  "an absent key reads as null value and null versionstamp": async ({ kv }) => {
    assertEquals(await kv.get(["nothing", 1]), {
      key: ["nothing", 1],
      value: null,
      versionstamp: null,
    });
  },
  "set values read back as the same JSON, with growing versionstamps": async ({ kv }) => {
    const values = [
      { a: [1, "two", null, true], nested: { é: "✓" } },
      "text",
      0,
      -1.5,
      false,
      null,
      [],
    ];
    const stamps: string[] = [];
    for (const [i, value] of values.entries()) {
      const { versionstamp } = await kv.set(["v", i], value);
      stamps.push(versionstamp);
      const read = await kv.get(["v", i]);
      assertEquals([read.value, read.versionstamp], [value, versionstamp]);
    }
    assertEquals(stamps.every((s) => /^[0-9a-f]{20}$/.test(s)), true);
    assertEquals([...stamps].sort(), stamps);
    assertEquals(new Set(stamps).size, stamps.length);
  },
  "a read value is a copy: changing it changes nothing stored": async ({ kv }) => {
    await kv.set(["copy"], { n: 1 });
    const first = await kv.get<{ n: number }>(["copy"]);
    first.value!.n = 99;
    assertEquals((await kv.get(["copy"])).value, { n: 1 });
  },
  "set overwrites and delete removes, absent keys too": async ({ kv }) => {
    await kv.set(["k"], 1);
    await kv.set(["k"], 2);
    assertEquals((await kv.get(["k"])).value, 2);
    await kv.delete(["k"]);
    await kv.delete(["never"]);
    assertEquals((await kv.get(["k"])).versionstamp, null);
  },
  "list returns a prefix's entries in key order, without the prefix itself": async ({ kv }) => {
    const keys: KvKey[] = [
      ["t", 10],
      ["t", "b"],
      ["t", -2],
      ["t", "a"],
      ["t", 2],
      ["t", "a", 1],
      ["u", 1],
      ["t"],
      ["tt", 1],
    ];
    for (const key of keys) await kv.set(key, key.join("/"));
    const listed = async (options = {}) =>
      (await Array.fromAsync(kv.list({ prefix: ["t"] }, options))).map((e) => e.key);
    const inOrder = [["t", "a"], ["t", "a", 1], ["t", "b"], ["t", -2], ["t", 2], ["t", 10]];
    assertEquals(await listed(), inOrder);
    assertEquals(await listed({ limit: 2 }), inOrder.slice(0, 2));
    assertEquals(await listed({ reverse: true, limit: 3 }), inOrder.toReversed().slice(0, 3));
    assertEquals(await listed({ limit: 0 }), []);
    const all = await Array.fromAsync(kv.list({ prefix: [] }));
    assertEquals(all.length, keys.length);
    assertEquals(all.find((e) => e.key.join() === "t,a")?.value, "t/a");
  },
  "list pages through more entries than one round trip returns, here and remotely": async (
    { kv, backend },
  ) => {
    const count = 1_100;
    for (let i = 0; i < count; i += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, j) => kv.set(["page", i + j], i + j)));
    }
    const expected = Array.from({ length: count }, (_, i) => i);
    // Remote askers page with `after` (state/remote.ts), so this runs the backend's own paging too.
    const remote = kvOver(createRemoteKvBackend((request) => answerKvRequest(backend, request)));
    for (const store of [kv, remote]) {
      const listed = (options: { reverse?: boolean }) =>
        Array.fromAsync(store.list<number>({ prefix: ["page"] }, options));
      assertEquals((await listed({})).map((e) => e.value), expected);
      assertEquals((await listed({ reverse: true })).map((e) => e.value), expected.toReversed());
    }
  },
  "an atomic check for absence lets exactly one of two writers create a key": async ({ kv }) => {
    const first = await kv.atomic().check({ key: ["once"], versionstamp: null }).set(["once"], "a")
      .commit();
    const second = await kv.atomic().check({ key: ["once"], versionstamp: null }).set(["once"], "b")
      .commit();
    assertEquals([first.ok, second.ok], [true, false]);
    assertEquals((await kv.get(["once"])).value, "a");
  },
  "an atomic check with a stale versionstamp writes nothing": async ({ kv }) => {
    const { versionstamp: old } = await kv.set(["n"], 1);
    const { versionstamp: now } = await kv.set(["n"], 2);
    assertEquals(
      (await kv.atomic().check({ key: ["n"], versionstamp: old }).set(["n"], 3).commit()).ok,
      false,
    );
    assertEquals((await kv.get(["n"])).value, 2);
    const done = await kv.atomic().check({ key: ["n"], versionstamp: now }).delete(["n"]).commit();
    assertEquals(done.ok, true);
    assertEquals((await kv.get(["n"])).value, null);
  },
  "an atomic operation over several keys commits all or nothing": async ({ kv, options }) => {
    const { versionstamp } = await kv.set(["a"], 1);
    const op = () =>
      kv.atomic().check({ key: ["a"], versionstamp }).set(["a"], 2).set(["b"], 2).delete(["c"])
        .commit();
    if (options.multiKeyAtomic === false) {
      await assertRejects(op, KvUnsupportedError);
      return;
    }
    await kv.set(["c"], 0);
    assertEquals((await op()).ok, true);
    assertEquals([
      (await kv.get(["a"])).value,
      (await kv.get(["b"])).value,
      (await kv.get(["c"])).value,
    ], [2, 2, null]);
    assertEquals((await op()).ok, false);
  },
  "an entry set with expireIn reads as absent once it expired": async ({ kv }) => {
    await kv.set(["exp"], "soon", { expireIn: 300 });
    await kv.set(["keep"], "kept");
    assertEquals((await kv.get(["exp"])).value, "soon");
    await new Promise((resolve) => setTimeout(resolve, 600));
    assertEquals((await kv.get(["exp"])).value, null);
    assertEquals((await Array.fromAsync(kv.list({ prefix: [] }))).map((e) => e.key), [["keep"]]);
    const created = await kv.atomic().check({ key: ["exp"], versionstamp: null }).set(
      ["exp"],
      "again",
    ).commit();
    assertEquals(created.ok, true);
  },
  "two handles on one store see each other's writes": async ({ kv, open }) => {
    const other = await open();
    await kv.set(["shared"], "from one");
    assertEquals((await other.get(["shared"])).value, "from one");
    await other.delete(["shared"]);
    assertEquals((await kv.get(["shared"])).value, null);
  },
  "instances opening a new store at the same moment all open it": async ({ options }) => {
    const namespace = `n${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
    const opened = await Promise.allSettled(
      Array.from({ length: 6 }, () => options.open(namespace)),
    );
    const handles = opened.flatMap((r) => r.status === "fulfilled" ? [kvOver(r.value)] : []);
    try {
      const failed = opened.flatMap((r) => r.status === "rejected" ? [String(r.reason)] : []);
      assertEquals(failed, [], "every handle opens");
      await handles[0]!.set(["first"], 1);
      assertEquals((await handles.at(-1)!.get(["first"])).value, 1);
    } finally {
      for (const kv of handles) await kv.close();
    }
  },
  "concurrent check-and-set increments from two handles lose nothing": async ({ kv, open }) => {
    const other = await open();
    const increment = async (store: OwnedKv) => {
      for (;;) {
        const current = await store.get<number>(["counter"]);
        const next = (current.value ?? 0) + 1;
        const result = await store.atomic().check(current).set(["counter"], next).commit();
        if (result.ok) return;
      }
    };
    const rounds = 40;
    await Promise.all([kv, other].map(async (store) => {
      for (let i = 0; i < rounds; i++) await increment(store);
    }));
    assertEquals((await kv.get(["counter"])).value, rounds * 2);
  },
  "bad keys and values are refused with KvInputError before reaching the store": async ({ kv }) => {
    await assertRejects(() => kv.set([], 1), KvInputError);
    await assertRejects(() => kv.set([true as unknown as string], 1), KvInputError);
    await assertRejects(() => kv.set(["f"], () => 1), KvInputError);
    await assertRejects(() => kv.set(["big"], "x".repeat(70_000)), KvInputError);
    await assertRejects(() => kv.set(["e"], 1, { expireIn: -1 }), KvInputError);
  },
};
