// The committed single-page app in workbench/dist/ is what `deno task workbench:build` makes from
// workbench/app/, so the page the engine serves is the page the sources describe.
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { fileURLToPath } from "node:url";

const WORKBENCH = fileURLToPath(new URL("../../workbench/", import.meta.url));

Deno.test("workbench/dist/ is the current build of workbench/app/", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rohas_bundle_" });
  try {
    const { success, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--platform",
        "browser",
        "--minify",
        "--output",
        `${dir}/app.js`,
        `${WORKBENCH}app/main.ts`,
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    assert(success, new TextDecoder().decode(stderr));
    const read = (path: string) => Deno.readTextFile(path);
    const stale = "workbench/dist/ is stale: run deno task workbench:build";
    assertEquals(await read(`${WORKBENCH}dist/app.js`), await read(`${dir}/app.js`), stale);
    for (const file of ["index.html", "app.css", "favicon.svg"]) {
      assertEquals(await read(`${WORKBENCH}dist/${file}`), await read(`${WORKBENCH}app/${file}`));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
