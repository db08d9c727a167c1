/** The published package: `deno publish --dry-run` and the documentation of the library surface. */

import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { REPO } from "../../testing/mod.ts";
import { exportedModules } from "../../scripts/doc_lint.ts";

async function deno(args: string[]): Promise<{ code: number; output: string }> {
  const result = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: REPO,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: result.code,
    output: decoder.decode(result.stdout) + decoder.decode(result.stderr),
  };
}

Deno.test("deno publish --dry-run passes, with no slow types in the public API", async () => {
  const { code, output } = await deno(["publish", "--dry-run", "--allow-dirty"]);
  assertEquals(code, 0, output);
  ok(output.includes("Success Dry run complete"), output);
  ok(!/slow-type|missing-explicit/.test(output), output);
});

Deno.test("deno doc --lint finds every module deno.json exports documented, with no private type", async () => {
  const modules = await exportedModules(REPO);
  assertEquals(modules.includes("./mod.ts") && modules.includes("./cli.ts"), true);
  const { code, output } = await deno(["doc", "--lint", ...modules]);
  const places = [...output.matchAll(/--> (\S+?):\d+:\d+/g)].map((m) =>
    m[1]!.slice(REPO.length + 1)
  );
  assertEquals(places, []);
  assertEquals(code, 0, output);
});

Deno.test("the package's default module run as a program is the CLI (deno run jsr:@rohas/cli)", async () => {
  const asProgram = await deno(["run", "-A", "mod.ts", "version"]);
  const cli = await deno(["run", "-A", "cli.ts", "version"]);
  assertEquals(asProgram, cli);
  assertEquals(asProgram.code, 0);
  ok(/\d+\.\d+\.\d+/.test(asProgram.output), asProgram.output);
});
