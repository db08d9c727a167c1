/**
 * The `--lang` flag shared by `codegen` and `init`.
 *
 * @module
 */

import type { CodegenLanguage } from "../codegen/mod.ts";
import { RohasError } from "../errors.ts";

/** Reads a `--lang` value: `typescript`/`ts` or `python`/`py`, in any case.
 *
 * @param text the flag value
 * @returns the language
 * @throws {RohasError} for any other value, naming the accepted ones
 */
export function parseLanguage(text: string): CodegenLanguage {
  switch (text.toLowerCase()) {
    case "ts":
    case "typescript":
      return "typescript";
    case "py":
    case "python":
      return "python";
  }
  throw new RohasError(`Unsupported language: "${text}": use typescript (ts) or python (py)`);
}
