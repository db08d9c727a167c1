/**
 * Runs the `rohas` CLI for tests: in this process (fast, output captured through the CLI's own
 * writers) or as a child process (for what needs a process of its own: libpython, exit codes of
 * `deno run`, signals).
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** The repository root, absolute, without a trailing slash. */
export const REPO: string = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");

/** What a CLI run printed and returned. */
export interface CliRun {
  /** The exit code. */
  code: number;
  /** Everything written to stdout. */
  stdout: string;
  /** Everything written to stderr. */
  stderr: string;
}

/** Options of {@linkcode rohas}. */
export interface RohasOptions {
  /** The working directory. Default: the repository root. */
  cwd?: string;
  /** Run `deno run -A cli.ts` as a child process instead of in this one. Default false. */
  process?: boolean;
  /** A child process still running after this is killed (the run fails). Default 60000. */
  timeoutMs?: number;
  /** Extra environment of a child process. Default: none. */
  env?: Record<string, string>;
}

/**
 * Runs `rohas <args>` to completion.
 *
 * @param args the arguments
 * @param options where and how to run it
 * @returns the exit code and the output
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { rohas } from "./mod.ts";
 *
 * const run = await rohas(["version"]);
 * assertEquals([run.code, run.stdout.startsWith("rohas ")], [0, true]);
 * ```
 */
export async function rohas(args: string[], options: RohasOptions = {}): Promise<CliRun> {
  const cwd = options.cwd ?? REPO;
  if (options.process) return await childRun(args, { ...options, cwd });
  const { runCli } = await import("../cli/main.ts");
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    cwd,
  });
  return { code, stdout, stderr };
}

async function childRun(args: string[], options: RohasOptions & { cwd: string }): Promise<CliRun> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${REPO}/cli.ts`, ...args],
    cwd: options.cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...options.env },
    signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}
