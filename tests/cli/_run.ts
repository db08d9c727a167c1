/**
 * Runs the CLI in-process with buffers for its output.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { runCli } from "../../cli/main.ts";

/** The repository root, absolute, without a trailing slash. */
export const REPO = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");

/** What a CLI run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `rohas <args>` with `cwd` as its working directory.
 *
 * @param args the arguments
 * @param cwd the working directory (default: the repository root)
 * @returns the exit code and the output
 */
export async function rohas(args: string[], cwd: string = REPO): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    cwd,
  });
  return { code, stdout, stderr };
}
