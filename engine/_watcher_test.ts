import assert from "node:assert/strict";
import { type ChangeBatch, watchProject } from "./_watcher.ts";

Deno.test("watchProject() reports a rejected batch to onError and keeps delivering", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir());
  try {
    await Deno.mkdir(`${root}/schema`);
    await Deno.mkdir(`${root}/src`);
    const errors: { error: unknown; batch: ChangeBatch }[] = [];
    const failed = Promise.withResolvers<void>();
    const handlerBatch = Promise.withResolvers<ChangeBatch>();
    const watcher = watchProject({
      root,
      schemaDir: `${root}/schema`,
      debounceMs: 10,
      onBatch: (batch) => {
        if (batch.schema) return Promise.reject(new Error("Broken reload"));
        handlerBatch.resolve(batch);
        return Promise.resolve();
      },
      onError: (error, batch) => {
        errors.push({ error, batch });
        failed.resolve();
      },
    });
    try {
      await Deno.writeTextFile(`${root}/schema/app.ro`, "api Hello {}\n");
      await failed.promise;
      await Deno.writeTextFile(`${root}/src/hello.ts`, "export function handleHello() {}\n");
      const batch = await handlerBatch.promise;
      assert.deepEqual(batch.handlers, [`${root}/src/hello.ts`]);
    } finally {
      await watcher.close();
    }
    assert.ok(errors.length >= 1);
    assert.ok(errors[0]!.error instanceof Error);
    assert.equal(errors[0]!.error.message, "Broken reload");
    assert.equal(errors[0]!.batch.schema, true);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
