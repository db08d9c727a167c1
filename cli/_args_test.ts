import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { type CommandSpec, parseCommandLine } from "./_args.ts";

const SPEC = {
  name: "demo",
  summary: "",
  description: "",
  module: "./demo.ts",
  examples: [],
  positionals: [
    { name: "action", required: true, choices: ["run", "list"], description: "" },
    { name: "topic", description: "" },
  ],
  project: true,
  options: {
    port: { type: "integer", short: "p", min: 0, max: 65535, description: "" },
    json: { type: "boolean", description: "" },
    id: { type: "string", multiple: true, description: "" },
    lang: { type: "string", choices: ["ts", "py"], description: "" },
  },
} as const satisfies CommandSpec;

function parse(...args: string[]) {
  return parseCommandLine(args, SPEC);
}

Deno.test("options may come before, between and after the positionals, in every spelling", () => {
  assertEquals(parse("--json", "run", "-p", "80", "Tick", "--port=81", "app"), {
    ok: true,
    parsed: {
      values: { json: true, port: 81 },
      args: { action: "run", topic: "Tick", path: "app" },
      project: "app",
    },
  });
});

Deno.test("a repeatable option collects its values in order", () => {
  const result = parse("list", "--id", "a", "--id=b", "--id", "c");
  assertEquals(result.ok && result.parsed.values.id, ["a", "b", "c"]);
});

Deno.test("the project comes from the last argument or -C/--project, and may not be given twice", () => {
  const fromFlag = parse("list", "-C", "there");
  assertEquals(fromFlag.ok && fromFlag.parsed.project, "there");
  const same = parse("list", "Topic", "here", "--project", "here");
  assertEquals(same.ok && same.parsed.project, "here");
  assertEquals(parse("list", "Topic", "here", "--project", "there"), {
    ok: false,
    message: 'The project is given twice, as "here" and as --project "there": give it once',
  });
});

Deno.test("unknown options, prototype names included, are usage errors", () => {
  for (const flag of ["--bogus", "--constructor", "--__proto__", "--toString", "-x", "-pp"]) {
    assertEquals(parse("run", flag), { ok: false, message: `Unknown option "${flag}"` }, flag);
  }
});

Deno.test("missing, extra and invalid values name the option and what it expects", () => {
  const cases: [string[], string][] = [
    [["run", "--port"], 'Option "--port" needs a value: --port <value>'],
    [["run", "--port", "--json"], 'Option "--port" needs a value: --port <value>'],
    [
      ["run", "--port", "abc"],
      'Invalid value "abc" for --port: expected an integer from 0 to 65535',
    ],
    [
      ["run", "--port", "70000"],
      'Invalid value "70000" for --port: expected an integer from 0 to 65535',
    ],
    [["run", "--port", "-1"], 'Invalid value "-1" for --port: expected an integer from 0 to 65535'],
    [
      ["run", "--port", "1e3"],
      'Invalid value "1e3" for --port: expected an integer from 0 to 65535',
    ],
    [["run", "--json=yes"], 'Option "--json" takes no value'],
    [["run", "--lang", "go"], 'Invalid value "go" for --lang: expected ts or py'],
    [[], "Missing argument <action>"],
    [["stop"], 'Invalid <action> "stop": expected "run" or "list"'],
    [["run", "a", "b", "c"], 'Unexpected argument "c"'],
  ];
  for (const [args, message] of cases) {
    assertEquals(parse(...args), { ok: false, message }, args.join(" "));
  }
});

Deno.test("after -- every argument is positional, and a lone - is a value", () => {
  const result = parse("run", "--", "--json", "-");
  assertEquals(result.ok && result.parsed.args, { action: "run", topic: "--json", path: "-" });
});
