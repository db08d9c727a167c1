/**
 * The `.ro` scanner: turns source text into tokens with positions in one linear pass, without
 * regular expressions. Whitespace and comments are skipped; characters that start no token become
 * `Invalid` tokens so the parser reports them with its usual recovery.
 *
 * Lines are separated by LF (a CR is whitespace); columns count UTF-16 code units, 1-based.
 *
 * @module
 */

import { PARSE_CODES } from "./codes.ts";

/** The kinds of token. */
export const TokenKind = {
  Ident: 0,
  String: 1,
  Number: 2,
  LBrace: 3,
  RBrace: 4,
  LBracket: 5,
  RBracket: 6,
  /** `[]` written without anything between the brackets. */
  EmptyBrackets: 7,
  LParen: 8,
  RParen: 9,
  Comma: 10,
  Colon: 11,
  Question: 12,
  At: 13,
  /** A run of characters that start no token. */
  Invalid: 14,
  EOF: 15,
} as const;

/** A token kind. */
export type TokenKind = typeof TokenKind[keyof typeof TokenKind];

/** One token: kind and position (offsets 0-based, end exclusive; lines and columns 1-based). */
export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** A problem the scanner found itself (an unterminated string or comment). */
export interface ScanProblem {
  code: typeof PARSE_CODES.unterminatedString | typeof PARSE_CODES.unterminatedComment;
  token: Token;
}

/** The tokens of a source (always ending with one `EOF` token) and the scanner's own problems. */
export interface ScanResult {
  tokens: Token[];
  problems: ScanProblem[];
}

const CH_TAB = 9;
const CH_LF = 10;
const CH_CR = 13;
const CH_SPACE = 32;
const CH_QUOTE = 34;
const CH_STAR = 42;
const CH_MINUS = 45;
const CH_SLASH = 47;
const CH_0 = 48;
const CH_9 = 57;

const PUNCTUATION: ReadonlyMap<number, TokenKind> = new Map<number, TokenKind>([
  [123, TokenKind.LBrace],
  [125, TokenKind.RBrace],
  [91, TokenKind.LBracket],
  [93, TokenKind.RBracket],
  [40, TokenKind.LParen],
  [41, TokenKind.RParen],
  [44, TokenKind.Comma],
  [58, TokenKind.Colon],
  [63, TokenKind.Question],
  [64, TokenKind.At],
]);

/** Whether a UTF-16 code unit is an ASCII letter. */
export function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

function isIdentPart(c: number): boolean {
  return isLetter(c) || isDigit(c) || c === 95;
}

function isWhitespace(c: number): boolean {
  return c === CH_SPACE || c === CH_TAB || c === CH_LF || c === CH_CR;
}

/** Scans a whole source into tokens.
 *
 * @param source the `.ro` text
 * @returns the tokens (the last one is `EOF`) and any unterminated string or comment
 */
export function scan(source: string): ScanResult {
  return new Scanner(source).run();
}

class Scanner {
  readonly #src: string;
  readonly #tokens: Token[] = [];
  readonly #problems: ScanProblem[] = [];
  #pos = 0;
  #line = 1;
  #lineStart = 0;

  constructor(source: string) {
    this.#src = source;
  }

  run(): ScanResult {
    const src = this.#src;
    while (this.#skipTrivia()) {
      const c = src.charCodeAt(this.#pos);
      const punct = PUNCTUATION.get(c);
      if (isLetter(c)) this.#word(TokenKind.Ident, isIdentPart);
      else if (isDigit(c) || (c === CH_MINUS && isDigit(src.charCodeAt(this.#pos + 1)))) {
        this.#pos++;
        this.#word(TokenKind.Number, isDigit);
      } else if (c === CH_QUOTE) this.#string();
      else if (c === 91 && src.charCodeAt(this.#pos + 1) === 93) {
        this.#fixed(TokenKind.EmptyBrackets, 2);
      } else if (punct !== undefined) this.#fixed(punct, 1);
      else this.#invalid();
    }
    const eof = this.#token(TokenKind.EOF, this.#pos, this.#line, this.#pos - this.#lineStart + 1);
    this.#tokens.push(eof);
    return { tokens: this.#tokens, problems: this.#problems };
  }

  /** Skips whitespace and comments; returns whether a token follows. */
  #skipTrivia(): boolean {
    const src = this.#src;
    while (this.#pos < src.length) {
      const c = src.charCodeAt(this.#pos);
      if (c === CH_LF) this.#newline(this.#pos);
      else if (isWhitespace(c)) this.#pos++;
      else if (c === CH_SLASH && src.charCodeAt(this.#pos + 1) === CH_SLASH) this.#lineComment();
      else if (c === CH_SLASH && src.charCodeAt(this.#pos + 1) === CH_STAR) this.#blockComment();
      else return true;
    }
    return false;
  }

  #newline(at: number): void {
    this.#pos = at + 1;
    this.#line++;
    this.#lineStart = this.#pos;
  }

  #lineComment(): void {
    const end = this.#src.indexOf("\n", this.#pos);
    this.#pos = end === -1 ? this.#src.length : end;
  }

  #blockComment(): void {
    const startLine = this.#line;
    const startColumn = this.#pos - this.#lineStart + 1;
    const start = this.#pos;
    const close = this.#src.indexOf("*/", this.#pos + 2);
    const end = close === -1 ? this.#src.length : close + 2;
    this.#advanceTo(end);
    if (close === -1) {
      const token = this.#token(TokenKind.Invalid, start, startLine, startColumn);
      this.#problems.push({ code: PARSE_CODES.unterminatedComment, token });
    }
  }

  /** Moves to `end`, counting the line breaks passed. */
  #advanceTo(end: number): void {
    let nl = this.#src.indexOf("\n", this.#pos);
    while (nl !== -1 && nl < end) {
      this.#newline(nl);
      nl = this.#src.indexOf("\n", this.#pos);
    }
    this.#pos = end;
  }

  #string(): void {
    const start = this.#pos;
    const line = this.#line;
    const column = start - this.#lineStart + 1;
    const close = this.#src.indexOf('"', start + 1);
    this.#advanceTo(close === -1 ? this.#src.length : close + 1);
    const token = this.#token(TokenKind.String, start, line, column);
    this.#tokens.push(token);
    if (close === -1) this.#problems.push({ code: PARSE_CODES.unterminatedString, token });
  }

  #word(kind: TokenKind, part: (c: number) => boolean): void {
    const start = this.#pos - (kind === TokenKind.Number ? 1 : 0);
    while (this.#pos < this.#src.length && part(this.#src.charCodeAt(this.#pos))) this.#pos++;
    this.#push(kind, start);
  }

  #fixed(kind: TokenKind, length: number): void {
    const start = this.#pos;
    this.#pos += length;
    this.#push(kind, start);
  }

  /** A run of characters that start no token, up to whitespace or a character that does. */
  #invalid(): void {
    const start = this.#pos;
    this.#pos++;
    while (this.#pos < this.#src.length && !this.#startsToken(this.#src.charCodeAt(this.#pos))) {
      this.#pos++;
    }
    this.#push(TokenKind.Invalid, start);
  }

  #startsToken(c: number): boolean {
    return isWhitespace(c) || isLetter(c) || isDigit(c) || c === CH_QUOTE || PUNCTUATION.has(c) ||
      (c === CH_SLASH && this.#src.charCodeAt(this.#pos + 1) === CH_SLASH) ||
      (c === CH_SLASH && this.#src.charCodeAt(this.#pos + 1) === CH_STAR);
  }

  /** Pushes a token that started on the current line (no line break inside). */
  #push(kind: TokenKind, start: number): void {
    this.#tokens.push(this.#token(kind, start, this.#line, start - this.#lineStart + 1));
  }

  /** A token from `start` to the current position, which may be on a later line. */
  #token(kind: TokenKind, start: number, line: number, column: number): Token {
    return {
      kind,
      start,
      end: this.#pos,
      line,
      column,
      endLine: this.#line,
      endColumn: this.#pos - this.#lineStart + 1,
    };
  }
}
