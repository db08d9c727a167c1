/**
 * The original's naming helpers (SPEC.md 2.2), used to resolve handler files and exports.
 *
 * @module
 */

/** `CreateUser` -> `create_user`: every upper-case letter becomes `_` plus its lower case. */
export function snake(name: string): string {
  let out = "";
  for (const ch of name) {
    const lower = ch.toLowerCase();
    if (ch !== lower) out += out === "" ? lower : "_" + lower;
    else out += ch;
  }
  return out;
}

/** `send_welcome_email` -> `SendWelcomeEmail`: split on `_`, capitalise each part. */
export function pascal(name: string): string {
  return name.split("_").filter((p) => p !== "").map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join("");
}

/** `send_welcome_email` -> `sendWelcomeEmail`. */
export function camel(name: string): string {
  const p = pascal(name);
  return p === "" ? p : p[0]!.toLowerCase() + p.slice(1);
}
