/**
 * Refines a failed call into the reason the engine reports: a missing handler file is `not_found`,
 * a Deno permission denial is `permission` with a hint naming the config key to change.
 *
 * @module
 */

import type { HandlerRef, InvocationResult, SerializedError } from "./contract.ts";
import { overrideTable } from "./_profiles.ts";

const PERMISSION_ERROR_NAMES = new Set(["NotCapable", "PermissionDenied"]);

/**
 * Returns `result` with its reason refined, or `result` itself when nothing applies.
 *
 * @param result what the handler call produced
 * @param handler the handler that was called
 * @param fileExists tells whether the handler file exists (asked only after a load failure)
 * @returns the refined result
 */
export async function refineFailure(
  result: InvocationResult,
  handler: HandlerRef,
  fileExists: (file: string) => Promise<boolean>,
): Promise<InvocationResult> {
  if (result.ok || result.reason !== "error") return result;
  const denial = findDenial(result.error);
  if (denial !== undefined) {
    return { ...result, reason: "permission", error: permissionError(denial, handler) };
  }
  if (result.error.name === "HandlerLoadError" && !(await fileExists(handler.file))) {
    return { ...result, reason: "not_found", error: missingFileError(handler, result.error) };
  }
  return result;
}

function findDenial(error: SerializedError): SerializedError | undefined {
  for (let at: SerializedError | undefined = error; at !== undefined; at = at.cause) {
    if (PERMISSION_ERROR_NAMES.has(at.name)) return at;
  }
  return undefined;
}

/** Deno words a denial as `Requires read access to "/x", run again with the --allow-read flag`. */
const DENIAL = /^(Requires (\w+) access(?: to .+?)?)(?:, run again with .*)?$/s;

function permissionError(denial: SerializedError, handler: HandlerRef): SerializedError {
  const table = overrideTable(handler.profile, handler.name);
  const match = DENIAL.exec(denial.message);
  const message = match === null
    ? `${denial.message}: allow it in ${table} in config/rohas.toml`
    : `${match[1]}: add it to ${table} ${match[2]} = [...] in config/rohas.toml`;
  const error: SerializedError = { name: "HandlerPermissionError", message, cause: denial };
  if (denial.stack !== undefined) error.stack = denial.stack;
  return error;
}

function missingFileError(handler: HandlerRef, cause: SerializedError): SerializedError {
  const tried = handler.exports.map((name) => `"${name}"`).join(", ");
  return {
    name: "HandlerNotFoundError",
    message:
      `Handler "${handler.name}" not found: file "${handler.file}" does not exist (exports tried: ${tried})`,
    cause,
  };
}

/**
 * Whether `file` exists, for {@linkcode refineFailure}.
 *
 * @param file absolute path
 * @returns false only when the file is missing (other stat errors count as present)
 */
export async function fileExists(file: string): Promise<boolean> {
  try {
    await Deno.stat(file);
    return true;
  } catch (error) {
    return !(error instanceof Deno.errors.NotFound);
  }
}
