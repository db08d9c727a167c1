/**
 * The `rohas` command line: `deno run -A jsr:@rohas/cli/cli <command>` (the package's default
 * module, `mod.ts`, hands over to it when run as a program too, so `jsr:@rohas/cli <command>`
 * works as well).
 *
 * @module
 */

import { runCli } from "./cli/main.ts";

/**
 * Runs the CLI with this process's arguments, standard streams and working directory.
 *
 * @returns the exit code
 */
export function runFromTerminal(): Promise<number> {
  const encoder = new TextEncoder();
  return runCli(Deno.args, {
    stdout: (text) => Deno.stdout.writeSync(encoder.encode(text)),
    stderr: (text) => Deno.stderr.writeSync(encoder.encode(text)),
    cwd: Deno.cwd(),
  });
}

if (import.meta.main) Deno.exit(await runFromTerminal());
