/**
 * The printer layer of every generator: a small line writer with indentation, so generators build
 * text one line at a time and the output is byte-for-byte deterministic.
 *
 * @module
 */

/** Builds source text line by line with a fixed indentation unit. */
export class CodeWriter {
  #lines: string[] = [];
  #depth = 0;
  #unit: string;

  /** Creates a writer.
   *
   * @param unit one level of indentation (two spaces for TypeScript, four for Python)
   */
  constructor(unit: string) {
    this.#unit = unit;
  }

  /** Appends one line at the current indentation; an empty string appends a blank line. */
  line(text = ""): this {
    this.#lines.push(text === "" ? "" : this.#unit.repeat(this.#depth) + text);
    return this;
  }

  /** Appends several lines at the current indentation. */
  lines(texts: readonly string[]): this {
    for (const text of texts) this.line(text);
    return this;
  }

  /** Writes `body` one level deeper. */
  indent(body: () => void): this {
    this.#depth++;
    try {
      body();
    } finally {
      this.#depth--;
    }
    return this;
  }

  /** Writes `open`, the body one level deeper, then `close`. */
  block(open: string, body: () => void, close: string): this {
    this.line(open);
    this.indent(body);
    return this.line(close);
  }

  /** The text written so far: lines joined with LF, ending with exactly one LF. */
  toString(): string {
    const lines = [...this.#lines];
    while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
    return lines.join("\n") + "\n";
  }
}
