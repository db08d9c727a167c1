/** `--help` of every command, `rohas --help` and `rohas version`. */

import { deepStrictEqual as assertEquals, match as assertMatch, ok } from "node:assert/strict";
import denoJson from "../../deno.json" with { type: "json" };
import { COMMANDS as REGISTRY } from "../../cli/commands.ts";
import { parseCommandLine } from "../../cli/_args.ts";
import { rohas } from "../../testing/mod.ts";

const COMMANDS = [...REGISTRY.keys()].sort();

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

Deno.test("rohas version rejects an argument with its usage and exit code 2", async () => {
  const run = await rohas(["version", "now"]);
  assertEquals(run, {
    code: 2,
    stdout: "",
    stderr: [
      'Error: Unexpected argument "now"',
      "Usage: rohas version [options]",
      'Run "rohas version --help" for more.',
      "",
    ].join("\n"),
  });
});

Deno.test("rohas init and codegen reject an unknown option with their usage and exit code 2", async () => {
  const usages = { init: "rohas init <name> [options]", codegen: "rohas codegen [path] [options]" };
  for (const [name, usage] of Object.entries(usages)) {
    const run = await rohas([name, "--fast"]);
    assertEquals(run.code, 2);
    assertEquals(
      run.stderr,
      `Error: Unknown option "--fast"\nUsage: ${usage}\nRun "rohas ${name} --help" for more.\n`,
    );
  }
});

Deno.test("rohas init needs a project name and a known example", async () => {
  const missing = await rohas(["init"]);
  assertEquals(missing.code, 2);
  assertMatch(missing.stderr, /^Error: Missing argument <name>\nUsage: rohas init <name>/);
  const unknown = await rohas(["init", "app", "--example", "shop"]);
  assertEquals(unknown.code, 2);
  assertMatch(
    unknown.stderr,
    /^Error: Invalid value "shop" for --example: expected hello or blank\n/,
  );
});

Deno.test("every option --help shows is one the parser accepts, and every declared option is shown", async () => {
  for (const [name, spec] of REGISTRY) {
    const help = (await rohas([name, "--help"])).stdout;
    const options = help.slice(help.indexOf("\nOptions:\n"), help.indexOf("\nExample:\n"));
    const shown = [...options.matchAll(/^ {2}(?:-(\w), )? *--([\w-]+)/gm)];
    const declared = Object.keys(spec.options).concat(spec.project ? ["project"] : [], ["help"]);
    assertEquals(shown.map((match) => match[2]).sort(), declared.sort(), name);
    // --help is the dispatcher's, before any parsing.
    for (const [, short, long] of shown.filter((match) => match[2] !== "help")) {
      for (const flag of [`--${long}`, ...(short ? [`-${short}`] : [])]) {
        // Parsed only, never run: the parser knows the flag when it does not call it unknown.
        const result = parseCommandLine([flag], spec);
        ok(result.ok || !result.message.startsWith("Unknown option"), `${name} ${flag}`);
      }
    }
  }
});

Deno.test("every project command takes the project as [path] or -C/--project, and says so", async () => {
  const projectCommands = [...REGISTRY.values()].filter((spec) => spec.project).map((s) => s.name);
  assertEquals(projectCommands.sort(), [
    "codegen",
    "cron",
    "delayed",
    "dev",
    "dlq",
    "list-events",
    "list-handlers",
    "start",
    "validate",
  ]);
  for (const name of projectCommands) {
    const help = (await rohas([name, "--help"])).stdout;
    assertMatch(help, /\n {2}path +The project directory/);
    assertMatch(help, /\n {2}-C, --project <dir> +The project directory, instead of the path/);
  }
  const positional = await rohas(["list-events", "examples/hello-world"]);
  for (const flag of ["-C", "--project"]) {
    assertEquals(await rohas(["list-events", flag, "examples/hello-world"]), positional);
  }
  assertEquals(await rohas(["list-events", "--project=examples/hello-world"]), positional);
  const twice = await rohas(["list-events", "examples/hello-world", "-C", "examples/hello-ts"]);
  assertEquals(twice.code, 2);
  assertMatch(twice.stderr, /^Error: The project is given twice, as "examples\/hello-world" and/);
});

Deno.test("rohas with no command, or an unknown one, prints the usage and exits 2", async () => {
  for (const args of [[], ["constructor"], ["__proto__"], ["help", "toString"]]) {
    const run = await rohas(args);
    assertEquals(run.code, 2, args.join(" "));
    assertEquals(run.stdout, "");
    assertMatch(
      run.stderr,
      /^Error: (Missing command|Unknown command ".+")\nUsage: rohas <command>/,
    );
  }
});
