/**
 * Every `ro` example of the language reference (docs/language.md) goes through the parser and the
 * validator, so the reference cannot show a schema the language does not accept. A block marked
 * `ro` must give no diagnostic; a block marked `ro error <code>` or `ro warning <code>` must give a
 * diagnostic of that severity and code, and no error with another code.
 *
 *   deno test -A docs/language_test.ts
 *
 * @module
 */

import assert from "node:assert/strict";
import { checkSchema, type Diagnostic, parseSchema, type Severity } from "../parser/mod.ts";

/** A fenced `ro` block of the reference: where it starts, what it expects, its source. */
interface Example {
  /** The 1-based line of the opening fence in the markdown file. */
  line: number;
  /** null for a block that must be clean; otherwise the diagnostic it must give. */
  expects: { severity: Severity; code: string } | null;
  source: string;
}

const REFERENCE = new URL("./language.md", import.meta.url);
const FENCE = /^```ro(?:\s+(error|warning)\s+([a-z-]+))?\s*$/;

/** The `ro` blocks of a markdown text; an `ro` fence with other words is an error. */
function examples(markdown: string): Example[] {
  const lines = markdown.split("\n");
  const found: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ro\b/.test(lines[i]!)) continue;
    const match = FENCE.exec(lines[i]!);
    if (match === null) throw new Error(`Cannot read the fence at line ${i + 1}: ${lines[i]}`);
    const close = lines.indexOf("```", i + 1);
    if (close === -1) throw new Error(`Cannot find the end of the block at line ${i + 1}`);
    const [, severity, code] = match;
    found.push({
      line: i + 1,
      expects: severity === undefined ? null : { severity: severity as Severity, code: code! },
      source: lines.slice(i + 1, close).join("\n") + "\n",
    });
    i = close;
  }
  return found;
}

/** The diagnostics at their lines in the markdown file (the block's source starts after its fence). */
function describe(example: Example, diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map((d) =>
    `  docs/language.md:${example.line + d.line}:${d.column} ${d.code}: ${d.message}`
  ).join("\n");
}

/** Why an example does not give what it claims, or null. */
function problem(example: Example): string | null {
  const diagnostics = checkSchema(parseSchema(example.source, { file: "example.ro" }));
  const expects = example.expects;
  if (expects === null) {
    return diagnostics.length === 0
      ? null
      : `gives diagnostics:\n${describe(example, diagnostics)}`;
  }
  const hit = diagnostics.some((d) => d.code === expects.code && d.severity === expects.severity);
  const others = diagnostics.filter((d) => d.severity === "error" && d.code !== expects.code);
  if (hit && others.length === 0) return null;
  const wanted = `${expects.severity} ${expects.code}`;
  return `should give ${wanted} alone, gives:\n${describe(example, diagnostics) || "  nothing"}`;
}

const markdown = await Deno.readTextFile(REFERENCE);

Deno.test("every ro example of the language reference gives exactly what its fence says", () => {
  const all = examples(markdown);
  const failures = all.flatMap((example) => {
    const why = problem(example);
    return why === null ? [] : [`docs/language.md:${example.line}: the block ${why}`];
  });
  assert.deepEqual(failures, []);
});

Deno.test("the language reference shows clean examples and examples of diagnostics", () => {
  const all = examples(markdown);
  assert.ok(all.filter((e) => e.expects === null).length >= 6);
  assert.ok(all.filter((e) => e.expects !== null).length >= 5);
});

Deno.test("a block that claims a diagnostic it does not give is caught", () => {
  const [clean, wrong] = examples(
    '```ro\ncron C {\n  schedule: "0 3 * * *"\n}\n```\n\n' +
      '```ro error invalid-cron\ncron C {\n  schedule: "0 3 * * *"\n}\n```\n',
  );
  assert.equal(problem(clean!), null);
  assert.equal(wrong?.line, 7);
  assert.match(problem(wrong!) ?? "", /should give error invalid-cron alone/);
});

Deno.test("a clean block that gives a warning is caught", () => {
  const [block] = examples("```ro\ninput Forgotten {\n  note: String\n}\n```\n");
  assert.match(problem(block!) ?? "", /unused-type/);
});
