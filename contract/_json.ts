/**
 * The one JSON printer of the documents: two-space indentation and a final newline.
 *
 * @module
 */

/** A document as the text written to a file or served.
 *
 * @param document the document
 * @returns its JSON text, ending with a newline
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(documentText({ a: 1 }), '{\n  "a": 1\n}\n');
 * ```
 */
export function documentText(document: unknown): string {
  return JSON.stringify(document, null, 2) + "\n";
}
