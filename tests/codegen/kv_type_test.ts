// The generated State's `kv` is typed without importing the package (a generated project need not
// map `@rohas/cli`), so its Kv must stay the package's Kv: deno check fails here if they drift.
import assert from "node:assert/strict";
import type { Kv as PackageKv } from "../../mod.ts";
import type { Kv as GeneratedKv, State } from "../../examples/hello-ts/src/generated/state.ts";
import { createMemoryKvBackend, kvOver } from "../../state/mod.ts";

Deno.test("the generated Kv and the package's Kv are assignable both ways", async () => {
  const toGenerated = (kv: PackageKv): GeneratedKv => kv;
  const toPackage = (kv: GeneratedKv): PackageKv => kv;
  const kv = toPackage(toGenerated(kvOver(createMemoryKvBackend())));
  const state = { kv } as Pick<State, "kv">;
  await state.kv.set(["n"], 1);
  assert.equal((await state.kv.get<number>(["n"])).value, 1);
});
