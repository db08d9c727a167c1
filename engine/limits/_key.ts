/**
 * The key value a `by` path picks from a payload, shared by every keyed control.
 *
 * @module
 */

/** Reads a dotted path from a payload as JSON, so `1` and `"1"` are different keys and a missing
 * field is `null`; without a path every event shares the key `""`.
 *
 * @param payload the event payload
 * @param path the control's `by` path split at dots, or null
 * @returns the key value
 */
export function keyOf(payload: unknown, path: readonly string[] | null): string {
  if (path === null) return "";
  let value = payload;
  for (const part of path) {
    value = typeof value === "object" && value !== null
      ? (value as Record<string, unknown>)[part]
      : undefined;
  }
  return JSON.stringify(value ?? null);
}

/** The split `by` path of a control, or null without one. */
export function pathOf(control: { key?: string }): readonly string[] | null {
  return control.key === undefined ? null : control.key.split(".");
}

/** Resolves after `ms`, or at once when the signal fires (then `false`). */
export function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener("abort", onAbort);
  });
}
