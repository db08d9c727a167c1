/** `--help` of every command, `rohas --help` and `rohas version`. */

import { deepStrictEqual as assertEquals, match as assertMatch } from "node:assert/strict";
import denoJson from "../../deno.json" with { type: "json" };
import { COMMANDS as REGISTRY } from "../../cli/commands.ts";
import { rohas } from "../../testing/mod.ts";

const COMMANDS = Object.keys(REGISTRY).sort();

for (const name of COMMANDS) {
  Deno.test(`rohas ${name} --help prints usage, options and an example, and exits 0`, async () => {
    for (const flag of ["--help", "-h"]) {
      const run = await rohas([name, flag]);
      assertEquals(run.code, 0, run.stderr);
      assertEquals(run.stderr, "");
      assertMatch(run.stdout, new RegExp(`^Usage: rohas ${name}\\b`));
      assertMatch(run.stdout, /\nOptions:\n( {2}.*\n)* {2}-h, --help +Show this help\n/);
      assertMatch(run.stdout, new RegExp(`\\nExample:\\n  rohas ${name}\\b`));
    }
  });
}

Deno.test("rohas --help lists every command with a summary", async () => {
  const run = await rohas(["--help"]);
  assertEquals(run.code, 0);
  for (const name of COMMANDS) assertMatch(run.stdout, new RegExp(`^  ${name} +\\S`, "m"));
  assertMatch(run.stdout, /Run "rohas <command> --help"/);
});

Deno.test("rohas version prints the version of deno.json", async () => {
  const run = await rohas(["version"]);
  assertEquals(run, { code: 0, stdout: `rohas ${denoJson.version}\n`, stderr: "" });
});

Deno.test("rohas version rejects an argument, pointing at its help", async () => {
  const run = await rohas(["version", "now"]);
  assertEquals(run.code, 1);
  assertEquals(
    run.stderr,
    'Error: Unexpected argument "now": run "rohas version --help" for usage\n',
  );
});

Deno.test("rohas init and codegen reject an unknown option, pointing at their help", async () => {
  for (const name of ["init", "codegen"]) {
    const run = await rohas([name, "--fast"]);
    assertEquals(run.code, 1);
    assertEquals(
      run.stderr,
      `Error: Unknown option '--fast': run "rohas ${name} --help" for usage\n`,
    );
  }
});

Deno.test("rohas init needs a project name and a known example", async () => {
  const missing = await rohas(["init"]);
  assertEquals(missing, {
    code: 1,
    stdout: "",
    stderr: 'Error: Expected one project name: "rohas init <name>"\n',
  });
  const unknown = await rohas(["init", "app", "--example", "shop"]);
  assertEquals(unknown, {
    code: 1,
    stdout: "",
    stderr: 'Error: Unknown example: "shop": use hello or blank\n',
  });
});
