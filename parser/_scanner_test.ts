import assert from "node:assert/strict";
import { scan, type Token, TokenKind } from "./_scanner.ts";

const NAMES = Object.fromEntries(Object.entries(TokenKind).map(([name, kind]) => [kind, name]));

function show(source: string): string[] {
  return scan(source).tokens.map((t: Token) =>
    `${NAMES[t.kind]} ${
      JSON.stringify(source.slice(t.start, t.end))
    } ${t.line}:${t.column}-${t.endLine}:${t.endColumn}`
  );
}

Deno.test("scan() gives each token its kind and 1-based span, ending with EOF", () => {
  assert.deepEqual(show('a_1 -12 7 "s" {}[](),:?@ []'), [
    'Ident "a_1" 1:1-1:4',
    'Number "-12" 1:5-1:8',
    'Number "7" 1:9-1:10',
    'String "\\"s\\"" 1:11-1:14',
    'LBrace "{" 1:15-1:16',
    'RBrace "}" 1:16-1:17',
    'EmptyBrackets "[]" 1:17-1:19',
    'LParen "(" 1:19-1:20',
    'RParen ")" 1:20-1:21',
    'Comma "," 1:21-1:22',
    'Colon ":" 1:22-1:23',
    'Question "?" 1:23-1:24',
    'At "@" 1:24-1:25',
    'EmptyBrackets "[]" 1:26-1:28',
    'EOF "" 1:28-1:28',
  ]);
});

Deno.test("scan() keeps [ ] apart and counts lines by LF, treating CR as whitespace", () => {
  assert.deepEqual(show("[ ]\r\n  x"), [
    'LBracket "[" 1:1-1:2',
    'RBracket "]" 1:3-1:4',
    'Ident "x" 2:3-2:4',
    'EOF "" 2:4-2:4',
  ]);
});

Deno.test("scan() lets strings span lines and skips comments, even one at the end without LF", () => {
  assert.deepEqual(show('/* a\n b */ "x\ny" // tail'), [
    'String "\\"x\\ny\\"" 2:7-3:3',
    'EOF "" 3:11-3:11',
  ]);
  assert.deepEqual(scan("// only").problems, []);
});

Deno.test("scan() turns a run of stray characters into one Invalid token", () => {
  assert.deepEqual(show("a#$%b - /x"), [
    'Ident "a" 1:1-1:2',
    'Invalid "#$%" 1:2-1:5',
    'Ident "b" 1:5-1:6',
    'Invalid "-" 1:7-1:8',
    'Invalid "/" 1:9-1:10',
    'Ident "x" 1:10-1:11',
    'EOF "" 1:11-1:11',
  ]);
});

Deno.test("scan() reports unterminated strings and comments at their start", () => {
  const string = scan('x "abc\n');
  assert.deepEqual(string.problems.map((p) => [p.code, p.token.line, p.token.column]), [
    ["unterminated-string", 1, 3],
  ]);
  const comment = scan("x\n  /* abc");
  assert.deepEqual(comment.problems.map((p) => [p.code, p.token.line, p.token.column]), [
    ["unterminated-comment", 2, 3],
  ]);
});
