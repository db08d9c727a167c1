/**
 * Secrets out of everything the workbench shows: adapter and telemetry settings carry broker URLs
 * with credentials (`amqp://user:password@host`), passwords, tokens and keys. One function,
 * {@linkcode redactSecrets}, used wherever configuration leaves the process.
 *
 * @module
 */

/** What a redacted value is replaced with. */
export const REDACTED = "[redacted]";

/** Words that make a key name a secret, matched against its `_`/`-`/camelCase-separated words. */
const SECRET_WORDS = new Set([
  "password",
  "passwd",
  "pwd",
  "pass",
  "passphrase",
  "secret",
  "token",
  "credential",
  "credentials",
  "apikey",
  "key",
  "auth",
  "authorization",
  "signature",
  "cookie",
]);

/** How deep settings are walked; deeper values are redacted whole rather than walked. */
const MAX_DEPTH = 32;

/**
 * A copy of a value with its secrets replaced by {@linkcode REDACTED}: the value of every key whose
 * name contains a secret word (`password`, `secret`, `token`, `api_key`, `credentials`,
 * `secretAccessKey`, ...), the password (or the lone user, often a token) of every URL's userinfo,
 * and secret query parameters of URLs (`?password=`, `?token=`). Arrays and objects are walked.
 *
 * @param value settings as written in the config (any JSON-like value)
 * @returns the same shape, secrets replaced
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { redactSecrets } from "./_redact.ts";
 * const shown = redactSecrets({ url: "amqp://user:pw@mq:5672/", password: "pw" });
 * assertEquals(shown, { url: "amqp://user:[redacted]@mq:5672/", password: "[redacted]" });
 * ```
 */
export function redactSecrets(value: unknown): unknown {
  return redact(value, 0);
}

function redact(value: unknown, depth: number): unknown {
  if (typeof value === "string") return redactUrl(value);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = isSecretKey(key) && item !== "" && item !== null
      ? REDACTED
      : redact(item, depth + 1);
  }
  return out;
}

/**
 * Whether a key names a secret: one of its words (split at `_`, `-`, `.` and camelCase humps) is a
 * secret word, so `password`, `sasl_password`, `secretAccessKey`, `api-key` and `routing_key` are,
 * while `passive` and `keyspace` are not.
 *
 * @param key the setting's name
 * @returns true for a secret
 */
export function isSecretKey(key: string): boolean {
  const words = key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase().split(/[_\-.\s]+/);
  if (words.some((w) => SECRET_WORDS.has(w))) return true;
  // `apikey`, `accesskey`, `privatekey` written as one word.
  return words.some((w) => /(api|access|private|secret)key$/.test(w));
}

/** A URL-like string with the userinfo's secret and secret query values replaced. */
function redactUrl(text: string): string {
  const withUser = text.replace(
    /\b([a-z][a-z0-9+.-]*:\/\/)([^/?#@\s]*)@/gi,
    (_all, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(":");
      return colon < 0
        ? `${scheme}${REDACTED}@`
        : `${scheme}${userinfo.slice(0, colon)}:${REDACTED}@`;
    },
  );
  return withUser.replace(
    /([?&;])([^=&#;\s]+)=([^&#;\s]*)/g,
    (all, sep: string, name: string, val: string) =>
      val !== "" && isSecretKey(decodeName(name)) ? `${sep}${name}=${REDACTED}` : all,
  );
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}
