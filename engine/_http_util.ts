/**
 * Small HTTP helpers of the pipeline: JSON error bodies, bounded body reading, query parsing.
 *
 * @module
 */

import type { ValidationIssue, ValidatorTable } from "./parts.ts";
import { unknownFieldsKey } from "../codegen/validators.ts";

/** The trace id header every response carries. */
export const TRACE_HEADER = "X-Rohas-Trace-Id";

/** A response whose body is JSON text already serialized.
 *
 * @param status the status
 * @param text JSON text
 * @returns the response
 */
export function jsonTextResponse(status: number, text: string): Response {
  return new Response(text, { status, headers: { "content-type": JSON_TYPE } });
}

/** The content type of every JSON answer. */
export const JSON_TYPE = "application/json";

/** The JSON text of a D3 error body: `{"error", "details"?, "trace_id"}`.
 *
 * @param error the message
 * @param options the request's trace id, and per-field problems or extra data
 * @returns the JSON text
 */
export function errorBody(error: string, options: { traceId: string; details?: unknown }): string {
  const { traceId, details } = options;
  return JSON.stringify({
    error,
    ...(details === undefined ? {} : { details }),
    trace_id: traceId,
  });
}

/** A D3 error body: `{"error", "details"?, "trace_id"}`.
 *
 * @param status the status
 * @param error the message
 * @param traceId the request's trace id
 * @param details per-field problems or extra data
 * @returns the response
 */
export function errorResponse(
  status: number,
  error: string,
  traceId: string,
  details?: unknown,
): Response {
  return jsonTextResponse(status, errorBody(error, { traceId, details }));
}

/** The outcome of reading a request body under a limit. */
export type BodyRead =
  | { kind: "ok"; bytes: Uint8Array }
  | { kind: "too_large" }
  | { kind: "unreadable"; message: string };

/** The outcome of reading and decoding a JSON request body under a limit. */
export type JsonBodyRead =
  | JsonParse
  | { kind: "too_large" }
  | { kind: "unreadable"; message: string };

/** Options of {@linkcode readJsonBody}. */
export interface ReadJsonBodyOptions {
  /** The maximum number of bytes. */
  limit: number;
  /** The request's `content-length` header, when it has one. Default: none (the body streams). */
  length?: string | undefined;
}

/** Reads a JSON body, stopping as soon as it passes `limit` bytes (declared or streamed).
 *
 * The body is decoded as `Request.json()` decodes it (UTF-8, an invalid sequence read as U+FFFD)
 * and must be one JSON text: an empty body is `empty`, a blank one is malformed JSON.
 *
 * @param request the request
 * @param options the limit and the declared length
 * @returns the value, `empty`, or why not
 */
export function readJsonBody(
  request: Request,
  options: ReadJsonBodyOptions,
): Promise<JsonBodyRead> {
  const { limit, length } = options;
  switch (bodyPlan({ method: request.method, length, limit })) {
    case "too_large":
      return tooLarge(request);
    case "empty":
      return Promise.resolve({ kind: "empty" });
    case "json":
      return request.json().then(okJson, jsonFailure);
    case "stream":
      if (request.body === null) return Promise.resolve({ kind: "empty" });
      return readStream(request.body, limit).then(parseRead);
  }
}

/** What {@linkcode bodyPlan} decides from. */
export interface BodyPlanOptions {
  /** The request method; a GET or HEAD request has no body. */
  method: string;
  /** The declared length (the `content-length` header), if any. */
  length: string | undefined;
  /** The maximum number of bytes. */
  limit: number;
}

/**
 * How {@linkcode readJsonBody} reads a body. One of declared length within the limit (the server
 * enforces the length) is read in one go with `request.json()`, which takes a body Deno already
 * buffered as text in one op, with no body stream and no decoder (measured: 2 us less per request
 * than `arrayBuffer()` and a decode, in a pipeline that costs 16 us). A body of unknown length
 * streams, counting bytes; creating that stream turns the one-op read into a streamed one, so
 * nothing else touches `request.body`.
 *
 * @param options the method, the declared length and the limit
 * @returns `json` (read with `request.json()`), `empty`, `too_large` or `stream`
 */
export function bodyPlan(options: BodyPlanOptions): "json" | "empty" | "too_large" | "stream" {
  const { method, length, limit } = options;
  if (method === "GET" || method === "HEAD") return "empty";
  const declared = length === undefined ? NaN : Number(length);
  if (declared > limit) return "too_large";
  if (!Number.isFinite(declared)) return "stream";
  return declared === 0 ? "empty" : "json";
}

async function tooLarge(request: Request): Promise<JsonBodyRead> {
  await request.body?.cancel().catch(() => {});
  return { kind: "too_large" };
}

function okJson(value: unknown): JsonBodyRead {
  return { kind: "ok", value };
}

/** Why a JSON body could not be read: malformed JSON, or a failed read.
 *
 * @param error what `request.json()` rejected with
 * @returns `invalid` for a `SyntaxError`, else `unreadable`
 */
export function jsonFailure(error: unknown): JsonBodyRead {
  if (error instanceof SyntaxError) {
    return { kind: "invalid", message: `Malformed JSON body: ${error.message}` };
  }
  return unreadable(error);
}

function parseRead(read: BodyRead): JsonBodyRead {
  return read.kind === "ok" ? parseJson(read.bytes) : read;
}

function unreadable(error: unknown): JsonBodyRead {
  return { kind: "unreadable", message: error instanceof Error ? error.message : String(error) };
}

async function readStream(body: ReadableStream<Uint8Array>, limit: number): Promise<BodyRead> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        return { kind: "too_large" };
      }
      chunks.push(value);
    }
  } catch (error) {
    return { kind: "unreadable", message: error instanceof Error ? error.message : String(error) };
  }
  return { kind: "ok", bytes: concat(chunks, size) };
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/** The outcome of decoding a JSON body. */
export type JsonParse =
  | { kind: "empty" }
  | { kind: "ok"; value: unknown }
  | { kind: "invalid"; message: string };

const decoder = new TextDecoder();

/** Decodes a JSON body read from a stream as {@linkcode readJsonBody} decodes any body: UTF-8 (an
 * invalid sequence read as U+FFFD), an empty body is `empty`.
 *
 * @param bytes the body
 * @returns the value or why not
 */
export function parseJson(bytes: Uint8Array): JsonParse {
  if (bytes.byteLength === 0) return { kind: "empty" };
  try {
    return { kind: "ok", value: JSON.parse(decoder.decode(bytes)) };
  } catch (error) {
    return { kind: "invalid", message: `Malformed JSON body: ${(error as Error).message}` };
  }
}

/**
 * Whether a request body may be read as JSON, from its `Content-Type`: `application/json` or
 * `application/<anything>+json`, any parameters. A body without `Content-Type` is JSON for a
 * client that is not a browser (no `Origin` header: curl with `-H`, scripts, the original's
 * clients) and refused from a browser, which sends `Origin` with every POST, PUT, PATCH and DELETE:
 * a page may send an untyped `Blob` or `ArrayBuffer` cross-site without a CORS preflight, exactly as
 * it may send `text/plain` or a form.
 *
 * @param headers the request headers, lower-case names
 * @returns true when the body may be parsed as JSON
 */
export function isJsonBodyType(headers: Record<string, string>): boolean {
  const type = headers["content-type"];
  if (type === undefined) return headers["origin"] === undefined;
  if (type === "application/json") return true;
  const semicolon = type.indexOf(";");
  const media = (semicolon < 0 ? type : type.slice(0, semicolon)).trim().toLowerCase();
  return media === "application/json" ||
    (media.startsWith("application/") && media.endsWith("+json") && !media.includes(" "));
}

/** Parses a query string: percent and `+` decoded, repeated keys kept as arrays.
 *
 * @param search the URL's `search` (with or without `?`)
 * @returns key to value or values
 */
export function parseQuery(search: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (search === "" || search === "?") return out;
  for (const [key, value] of new URLSearchParams(search)) {
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[key] = [prev, value];
  }
  return out;
}

/** Request headers as a plain object with lower-case names.
 *
 * @param headers the headers
 * @returns name to value
 */
export function headersRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  // `forEach` with a `this` argument: half the cost of `for...of` (no entry arrays, no iterator
  // results) and no closure per call.
  headers.forEach(copyHeader, out);
  return out;
}

function copyHeader(this: Record<string, string>, value: string, name: string): void {
  this[name] = value;
}

/** Sorts validation issues for deterministic output.
 *
 * @param issues the issues
 * @returns the issues sorted by path then message
 */
export function sortIssues(issues: ValidationIssue[]): ValidationIssue[] {
  return [...issues].sort((a, b) =>
    a.path === b.path ? (a.message < b.message ? -1 : 1) : a.path < b.path ? -1 : 1
  );
}

/** Options of {@linkcode validateValue}. */
export interface ValidateValueOptions {
  /** The validators by type name. */
  validators: ValidatorTable;
  /** The schema type the value must match; `null` checks nothing. */
  type: string | null;
  /** `[server] unknown_fields`: `reject` also lists each key the type does not declare. */
  unknownFields?: "accept" | "reject";
}

/** Checks a request body or WebSocket message against its schema type.
 *
 * @param value the value; `undefined` (an absent request body) fails with one issue at the root
 * @param options the validators and the type
 * @returns the issues sorted by path then message, or `null` when the value passes or the type has
 * no validator
 */
export function validateValue(
  value: unknown,
  options: ValidateValueOptions,
): ValidationIssue[] | null {
  if (options.type === null) return null;
  const validator = options.validators.get(options.type);
  if (!validator) return null;
  if (value === undefined) return [{ path: "", message: "Request body is required" }];
  const issues = validator(value);
  if (options.unknownFields === "reject") {
    const unknown = options.validators.get(unknownFieldsKey(options.type));
    if (unknown) issues.push(...unknown(value));
  }
  return issues.length === 0 ? null : sortIssues(issues);
}

/** The path and query of an absolute request URL, without a full URL parse (hot path).
 *
 * @param url an absolute URL such as `http://host:1/a/b?x=1#f`
 * @returns the raw pathname (percent-encoded) and search (with `?`, or `""`)
 */
export function splitUrl(url: string): { pathname: string; search: string } {
  const scheme = url.indexOf("://");
  const slash = scheme < 0 ? -1 : url.indexOf("/", scheme + 3);
  if (slash < 0) return { pathname: "/", search: "" };
  let end = url.indexOf("#", slash);
  if (end < 0) end = url.length;
  const q = url.indexOf("?", slash);
  if (q < 0 || q > end) return { pathname: url.slice(slash, end), search: "" };
  return { pathname: url.slice(slash, q), search: url.slice(q, end) };
}

/** Builds a body from query params, coercing each declared field by its type. A value that does
 * not coerce is kept as text, so validation reports it.
 *
 * @param query the parsed query
 * @param fields the body type's fields
 * @returns the body object (declared fields only)
 */
export function queryBody(
  query: Record<string, string | string[]>,
  fields: Record<string, { type: "Int" | "Float" | "Boolean" | "String"; array: boolean }>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(fields)) {
    const raw = query[name];
    if (raw === undefined) continue;
    const values = Array.isArray(raw) ? raw : [raw];
    const coerced = values.map((v) => coerce(v, field.type));
    out[name] = field.array ? coerced : coerced[coerced.length - 1];
  }
  return out;
}

function coerce(value: string, type: "Int" | "Float" | "Boolean" | "String"): unknown {
  switch (type) {
    case "Int":
      return /^-?\d+$/.test(value) ? Number(value) : value;
    case "Float":
      return value.trim() !== "" && Number.isFinite(Number(value)) ? Number(value) : value;
    case "Boolean":
      return value === "true" ? true : value === "false" ? false : value;
    case "String":
      return value;
  }
}
