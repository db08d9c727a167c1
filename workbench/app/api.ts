/// <reference lib="dom" />
/**
 * Talking to the workbench API: the key (if any) lives in `localStorage`, never in the page; it is
 * sent as `Authorization: Bearer` and `X-API-Key`. A 401 asks for it.
 *
 * @module
 */

const KEY = "rohas_workbench_api_key";

/** The stored key, or `""`. */
export function apiKey(): string {
  return localStorage.getItem(KEY) ?? "";
}

/** Stores the key. */
export function setApiKey(key: string): void {
  if (key) localStorage.setItem(KEY, key);
  else localStorage.removeItem(KEY);
}

/** Headers that carry the key. */
export function authHeaders(): Record<string, string> {
  const key = apiKey();
  return key ? { authorization: `Bearer ${key}`, "x-api-key": key } : {};
}

/** An API failure with its status and JSON `error`. */
export class ApiError extends Error {
  /** Creates the error. */
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = "ApiError";
  }
}

let onUnauthorized: () => void = () => {};

/** Sets what happens on 401 (the shell shows the key form). */
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

/** Calls `/api/workbench/<path>` and parses the JSON answer.
 *
 * @param path such as `traces?limit=50`
 * @param init method and body
 * @returns the parsed JSON
 */
export async function api<T = unknown>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = {
    ...authHeaders(),
    ...(init.body ? { "content-type": "application/json" } : {}),
  };
  const response = await fetch(`/api/workbench/${path}`, { ...init, headers });
  const body = await response.json().catch(() => ({}));
  if (response.status === 401) onUnauthorized();
  if (!response.ok) throw new ApiError(response.status, body.error ?? response.statusText);
  return body as T;
}

/** Posts JSON. */
export function post<T = unknown>(path: string, body: unknown = {}): Promise<T> {
  return api<T>(path, { method: "POST", body: JSON.stringify(body) });
}
