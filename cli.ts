/**
 * The `rohas` command line: `deno run -A jsr:@rohas/cli <command>`.
 *
 * @module
 */

import { runCli } from "./cli/main.ts";

if (import.meta.main) {
  const encoder = new TextEncoder();
  const code = await runCli(Deno.args, {
    stdout: (text) => Deno.stdout.writeSync(encoder.encode(text)),
    stderr: (text) => Deno.stderr.writeSync(encoder.encode(text)),
    cwd: Deno.cwd(),
  });
  Deno.exit(code);
}
