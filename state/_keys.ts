/**
 * Keys as order-preserving text, for backends that store text keys (NATS, PostgreSQL): each part is
 * a tag (`a` string, `b` number) and hex digits (a string's UTF-8 bytes; a number's IEEE 754 bits
 * with the sign folded so that byte order is numeric order), parts joined by `.`. Comparing the
 * texts with a `.` appended compares the keys: strings before numbers, shorter prefixes first. The
 * alphabet (`a-f`, `0-9`, `.`) is a valid NATS subject, so `<prefix>.>` lists a prefix there.
 *
 * @module
 */

import { KvInputError } from "./errors.ts";
import type { KvKey, KvKeyPart } from "./kv.ts";

/** The longest key, encoded as UTF-8 JSON-ish parts (Deno KV's own limit). */
export const MAX_KEY_BYTES = 2_048;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Checks a key's shape, throwing {@linkcode KvInputError} with what is wrong. */
export function checkKey(key: unknown, { allowEmpty = false } = {}): asserts key is KvKey {
  if (!Array.isArray(key)) {
    throw new KvInputError(`Invalid key: expected an array, got ${typeof key}`);
  }
  if (key.length === 0 && !allowEmpty) {
    throw new KvInputError("Invalid key: a key has at least one part");
  }
  let bytes = 0;
  for (const part of key) {
    if (typeof part === "string") bytes += encoder.encode(part).length + 1;
    else if (typeof part === "number" && Number.isFinite(part)) bytes += 9;
    else {throw new KvInputError(
        `Invalid key part ${describe(part)}: expected a string or a finite number`,
      );}
  }
  if (bytes > MAX_KEY_BYTES) {
    throw new KvInputError(`Invalid key: ${bytes} bytes, at most ${MAX_KEY_BYTES}`);
  }
}

/** The key as order-preserving text. */
export function encodeKey(key: KvKey): string {
  return key.map(encodePart).join(".");
}

/** The key of an {@linkcode encodeKey} text. */
export function decodeKey(text: string): KvKey {
  if (text === "") return [];
  return text.split(".").map(decodePart);
}

/** Orders two keys as every backend lists them: -1, 0 or 1. */
export function compareKeys(a: KvKey, b: KvKey): number {
  const x = `${encodeKey(a)}.`;
  const y = `${encodeKey(b)}.`;
  return x < y ? -1 : x > y ? 1 : 0;
}

function encodePart(part: KvKeyPart): string {
  if (typeof part === "string") return `a${hex(encoder.encode(part))}`;
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, part === 0 ? 0 : part);
  if (bytes[0]! & 0x80) { for (let i = 0; i < 8; i++) bytes[i] = ~bytes[i]! & 0xff; }
  else bytes[0] = bytes[0]! | 0x80;
  return `b${hex(bytes)}`;
}

function decodePart(text: string): KvKeyPart {
  const bytes = unhex(text.slice(1));
  if (text[0] === "a") return decoder.decode(bytes);
  if (bytes[0]! & 0x80) bytes[0] = bytes[0]! & 0x7f;
  else for (let i = 0; i < 8; i++) bytes[i] = ~bytes[i]! & 0xff;
  return new DataView(bytes.buffer).getFloat64(0);
}

function hex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}

function unhex(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (["number", "bigint", "boolean"].includes(typeof value)) return String(value);
  return value === null ? "null" : typeof value;
}
