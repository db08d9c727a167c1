import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { Diagnostic } from "../parser/mod.ts";
import { displayPath, formatDiagnostics, summarize } from "./_diagnostic_printer.ts";

function diagnostic(fields: Partial<Diagnostic>): Diagnostic {
  return {
    code: "undefined-type",
    severity: "error",
    message: "Oops",
    file: "/p/schema/a.ro",
    line: 1,
    column: 1,
    endLine: 1,
    endColumn: 2,
    ...fields,
  };
}

Deno.test("formatDiagnostics() underlines from the column to the end column, keeping tabs", () => {
  const sources = new Map([["/p/schema/a.ro", "model A {\n\tfield\tUsr\n}\n"]]);
  const text = formatDiagnostics(
    [diagnostic({ line: 2, column: 8, endLine: 2, endColumn: 11 })],
    { sources, cwd: "/p" },
  );
  assertEquals(
    text,
    "schema/a.ro:2:8: error[undefined-type]: Oops\n2 | \tfield\tUsr\n  | \t     \t^^^\n\n1 error\n",
  );
});

Deno.test("formatDiagnostics() underlines to the end of the line for a span over several lines", () => {
  const sources = new Map([["a.ro", "abc def\nghi\n"]]);
  const text = formatDiagnostics(
    [diagnostic({ file: "a.ro", column: 5, endLine: 2, endColumn: 2 })],
    { sources },
  );
  assertEquals(
    text,
    "a.ro:1:5: error[undefined-type]: Oops\n1 | abc def\n  |     ^^^\n\n1 error\n",
  );
});

Deno.test("formatDiagnostics() puts one caret at an empty span or past the end of the line", () => {
  const sources = new Map([["a.ro", "abc\n"]]);
  const text = formatDiagnostics(
    [diagnostic({ file: "a.ro", column: 4, endColumn: 4, severity: "warning", code: "w" })],
    { sources },
  );
  assertEquals(text, "a.ro:1:4: warning[w]: Oops\n1 | abc\n  |    ^\n\n1 warning\n");
});

Deno.test("formatDiagnostics() prints only the header when the source is unknown", () => {
  const text = formatDiagnostics([diagnostic({ file: "gone.ro" })], { sources: new Map() });
  assertEquals(text, "gone.ro:1:1: error[undefined-type]: Oops\n\n1 error\n");
  assertEquals(formatDiagnostics([], { sources: new Map() }), "");
});

Deno.test("summarize() counts errors and warnings in plural where needed", () => {
  const error = diagnostic({});
  const warning = diagnostic({ severity: "warning" });
  assertEquals(summarize([]), "0 errors");
  assertEquals(summarize([error, error, warning]), "2 errors, 1 warning");
  assertEquals(summarize([warning, warning]), "2 warnings");
});

Deno.test("displayPath() shows paths inside the working directory relative to it", () => {
  assertEquals(displayPath("/p/schema/a.ro", "/p"), "schema/a.ro");
  assertEquals(displayPath("/other/a.ro", "/p"), "/other/a.ro");
  assertEquals(displayPath("rel/a.ro", "/p"), "rel/a.ro");
  assertEquals(displayPath("/p", "/p"), ".");
});
