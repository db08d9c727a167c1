/**
 * What the `rohas dlq` end-to-end tests share: the project's config, polling with a deadline, the
 * JSON listing, and `rohas dev` as a subprocess.
 *
 * @module
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { join } from "node:path";
import type { DeadLetterView } from "../../cli/dlq.ts";
import { REPO, rohas } from "../../testing/mod.ts";

/** What differs between the tests' `config/rohas.toml`. */
export interface DlqConfig {
  name: string;
  port: number;
  /** The `[adapter]` table's lines. */
  adapter: string;
  /** The handlers allowed to write under `out/`. */
  writers: string[];
}

/** A test project's `config/rohas.toml`: memory telemetry, the handlers' `out/` writes allowed. */
export function dlqConfig({ name, port, adapter, writers }: DlqConfig): string {
  const permissions = writers.map((handler) =>
    `[permissions.handlers.${handler}]\nwrite = ["out"]\n`
  );
  return `[project]
name = "${name}"
version = "0.1.0"
language = "typescript"

[server]
host = "127.0.0.1"
port = ${port}

[adapter]
${adapter}

[telemetry]
type = "memory"

${permissions.join("\n")}`;
}

/** Polls `check` until it returns a value, or fails at the deadline. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `rohas dlq list [topic] --json` of the project at `root`, which must succeed. */
export async function listJson(root: string, topic?: string): Promise<DeadLetterView[]> {
  const run = await rohas(["dlq", "list", ...(topic ? [topic] : []), "--json", "-C", root]);
  assertEquals(run.stderr, "");
  assertEquals(run.code, 0);
  return JSON.parse(run.stdout);
}

/** `rohas dev --no-watch [--no-workbench] <root>` as a subprocess, stopped with SIGTERM on dispose. */
export async function startDev(
  root: string,
  options: { workbench?: boolean } = {},
): Promise<AsyncDisposable & { url: string }> {
  const workbench = (options.workbench ?? true) ? [] : ["--no-workbench"];
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(REPO, "cli.ts"), "dev", "--no-watch", ...workbench, root],
    cwd: root,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  let url: string | undefined;
  while (url === undefined) {
    const { value, done } = await lines.read();
    if (done) {
      await child.status;
      throw new Error(`rohas dev exited before listening: ${seen}${await stderr}`);
    }
    seen += value;
    url = seen.match(/listening on (http:\/\/\S+)/)?.[1];
  }
  const drained = (async () => {
    while (!(await lines.read()).done);
  })();
  return {
    url,
    async [Symbol.asyncDispose]() {
      child.kill("SIGTERM");
      await Promise.all([child.status, drained, stderr]);
    },
  };
}
