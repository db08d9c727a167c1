/**
 * The parser's view of the token stream: look-ahead, positions, diagnostics with cascade
 * suppression, and the re-synchronisation points used for error recovery.
 *
 * @module
 */

import type { Span } from "./ast.ts";
import { PARSE_CODES } from "./codes.ts";
import type { Diagnostic } from "./diagnostic.ts";
import { type ScanProblem, type Token, TokenKind } from "./_scanner.ts";

/** The top-level keywords, each starting one kind of definition. */
export const KEYWORDS: ReadonlySet<string> = new Set([
  "model",
  "type",
  "input",
  "api",
  "event",
  "cron",
  "ws",
]);

/** How a block's members start, which decides where recovery stops inside the block. */
export type MemberStart = "key-colon" | "new-line";

/** A cursor over the tokens of one file that collects diagnostics. */
export class Cursor {
  readonly file: string;
  readonly source: string;
  readonly diagnostics: Diagnostic[] = [];
  readonly #tokens: Token[];
  readonly #eof: Token;
  readonly #silentAtEof: boolean;
  #index = 0;
  #lastErrorStart = -1;

  constructor(source: string, file: string, scanned: { tokens: Token[]; problems: ScanProblem[] }) {
    this.source = source;
    this.file = file;
    this.#tokens = scanned.tokens;
    this.#eof = scanned.tokens[scanned.tokens.length - 1]!;
    // An unterminated string or comment swallows the rest of the file: the parser's complaints at
    // the end of the file would only repeat that one mistake.
    this.#silentAtEof = scanned.problems.length > 0;
    for (const problem of scanned.problems) this.#reportProblem(problem);
  }

  /** The token `ahead` positions after the current one (the EOF token past the end). */
  peek(ahead = 0): Token {
    return this.#tokens[this.#index + ahead] ?? this.#eof;
  }

  /** The index of the current token, to detect whether anything was consumed. */
  get index(): number {
    return this.#index;
  }

  /** The last consumed token (the first token before anything was consumed). */
  get previous(): Token {
    return this.#tokens[this.#index - 1] ?? this.peek();
  }

  /** The number of diagnostics so far, to tell whether a stretch of parsing reported any. */
  get errorCount(): number {
    return this.diagnostics.length;
  }

  /** Consumes the current token and returns it (stays on EOF). */
  next(): Token {
    const token = this.peek();
    if (token.kind !== TokenKind.EOF) this.#index++;
    return token;
  }

  /** Whether the current token has the kind. */
  at(kind: TokenKind, ahead = 0): boolean {
    return this.peek(ahead).kind === kind;
  }

  /** The source text of a token. */
  text(token: Token): string {
    return this.source.slice(token.start, token.end);
  }

  /** The value of a string token: its text without the quotes (a missing closing quote is fine). */
  stringValue(token: Token): string {
    const closed = token.end - token.start >= 2 && this.source.charCodeAt(token.end - 1) === 34;
    return this.source.slice(token.start + 1, closed ? token.end - 1 : token.end);
  }

  /** The span from the start of one token to the end of another. */
  span(first: Token, last: Token = first): Span {
    return {
      file: this.file,
      line: first.line,
      column: first.column,
      endLine: last.endLine,
      endColumn: last.endColumn,
      offset: first.start,
      endOffset: last.end,
    };
  }

  /** Whether the current token starts a definition: a keyword followed by a name. */
  atDefinition(ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === TokenKind.Ident && KEYWORDS.has(this.text(token)) &&
      this.at(TokenKind.Ident, ahead + 1);
  }

  /** Whether the current token surely starts a definition (`keyword Name {`), even inside a block. */
  atDefinitionWithBody(): boolean {
    return this.atDefinition() && this.at(TokenKind.LBrace, 2);
  }

  /** Reports a syntax error at a token: `Syntax error at line L, column C: expected …`.
   *
   * At most one error is reported per token, and none at the end of a file whose string or comment
   * never ended, so one mistake gives one diagnostic.
   */
  expected(token: Token, what: string): void {
    if (token.start === this.#lastErrorStart) return;
    if (token.kind === TokenKind.EOF && this.#silentAtEof) return;
    this.#lastErrorStart = token.start;
    const where = `Syntax error at line ${token.line}, column ${token.column}`;
    if (token.kind === TokenKind.Invalid) {
      const detail = `unexpected character ${describeCharacter(this.source, token.start)}`;
      this.report(token, PARSE_CODES.invalidCharacter, `${where}: ${detail}`);
    } else {
      this.report(token, PARSE_CODES.syntaxError, `${where}: expected ${what}`);
    }
  }

  /** Records an error diagnostic at a span or token. */
  report(at: Span | Token, code: string, message: string): void {
    const span = "file" in at ? at : this.span(at);
    this.diagnostics.push({
      code,
      severity: "error",
      message,
      file: this.file,
      line: span.line,
      column: span.column,
      endLine: span.endLine,
      endColumn: span.endColumn,
    });
  }

  /** Skips to the next definition after a top-level error, passing over balanced `{ … }`. */
  syncTopLevel(): void {
    this.next();
    let depth = 0;
    while (!this.at(TokenKind.EOF)) {
      if (depth === 0 ? this.atDefinition() : this.atDefinitionWithBody()) return;
      const token = this.next();
      if (token.kind === TokenKind.LBrace) depth++;
      else if (token.kind === TokenKind.RBrace && depth > 0) depth--;
    }
  }

  /** Skips to the next member of a block, its closing `}`, or the next definition.
   *
   * @param memberStart the index where the failed member started; at least one token is skipped
   * @param start how members of this block start
   */
  syncInBlock(memberStart: number, start: MemberStart): void {
    if (this.#index === memberStart) this.next();
    let depth = 0;
    for (;;) {
      const token = this.peek();
      if (token.kind === TokenKind.EOF || this.atDefinitionWithBody()) return;
      if (token.kind === TokenKind.RBrace) {
        if (depth === 0) return;
        depth--;
      } else if (token.kind === TokenKind.LBrace) depth++;
      else if (depth === 0 && token.kind === TokenKind.Ident && this.#startsMember(start)) return;
      this.next();
    }
  }

  #startsMember(start: MemberStart): boolean {
    switch (start) {
      case "key-colon":
        return this.at(TokenKind.Colon, 1);
      case "new-line":
        return this.peek().line > this.previous.endLine;
    }
  }

  #reportProblem(problem: ScanProblem): void {
    const { line, column } = problem.token;
    const what = problem.code === PARSE_CODES.unterminatedString ? "string" : "block comment";
    const message = `Syntax error at line ${line}, column ${column}: unterminated ${what}`;
    this.report(problem.token, problem.code, message);
  }
}

/** Quotes the character at an offset for a message; invisible characters (controls, spaces other
 * than the ASCII space, a byte order mark, lone surrogates) as `U+XXXX`.
 */
function describeCharacter(source: string, offset: number): string {
  const code = source.codePointAt(offset) ?? 0;
  const char = String.fromCodePoint(code);
  if (INVISIBLE.test(char)) return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  return `'${char}'`;
}

const INVISIBLE = /^[\p{C}\p{Z}]$/u;
