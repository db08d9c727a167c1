/**
 * `rohas cron run <Name> [path]`: runs one cron job now in a fresh engine instance, publishes its
 * triggers, waits until the events it caused were handled, and exits 0 (success) or 1.
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { CliIo, Command } from "./command.ts";
import { findProject, loadConfig } from "../project/mod.ts";
import { createAdapter } from "../adapters/mod.ts";
import { EventBus, retryPolicyOf } from "../engine/events/mod.ts";
import { createEngine } from "../engine/mod.ts";
import { prepareApp } from "../engine/mod.ts";
import { createProjectRuntime, startRuntime } from "../engine/serve_project.ts";
import { printFailure } from "./dev.ts";

async function runJob(name: string, path: string, io: CliIo): Promise<number> {
  const location = await findProject(path, { cwd: io.cwd });
  const { config } = await loadConfig(location.root);
  // A one-shot run handles its own events in this process: the embedded adapter.
  config.adapter.type = "memory";
  // Like `rohas dev`: generated code is refreshed first (Python handlers import it).
  const prepared = await prepareApp({
    root: location.root,
    schemaDir: location.schemaDir,
    config,
    codegen: true,
  });
  if (!prepared.ok) {
    printFailure(prepared, io);
    return 1;
  }
  // The same runtime as dev and start: TypeScript and Python handlers, by file.
  const runtime = createProjectRuntime(location.root, config, prepared.model);
  await startRuntime(runtime);
  const adapter = await createAdapter(config.adapter, {
    projectRoot: location.root,
    service: config.project.name,
  });
  const bus = new EventBus(adapter, { retry: retryPolicyOf(config.adapter) });
  await bus.start();
  const engine = createEngine({
    model: prepared.model,
    config,
    runtime,
    bus,
    validators: prepared.validators,
  });
  try {
    await engine.start();
    const outcome = await engine.runCron(name);
    if (!outcome.ok) {
      io.stderr(`Error: Cron job "${name}" failed: ${outcome.error}\n`);
      return 1;
    }
    await engine.idle();
    const handled = engine.deliveriesSettled();
    io.stdout(
      `Cron job "${name}" ran (trace ${outcome.traceId}); ${handled} event deliveries handled\n`,
    );
    return 0;
  } finally {
    await engine.close();
  }
}

/** `rohas cron`. */
export const command: Command = {
  name: "cron",
  summary: "Run a cron job now: rohas cron run <Name>",
  help: `Usage: rohas cron run <Name> [path]

Runs one cron job of the project now, publishes its triggers and waits until the events it
caused were handled (embedded memory adapter). Exits 0 on success, 1 on failure.

Options:
  path            The project directory (default: the current directory)
  -h, --help      Show this help

Example:
  rohas cron run Tick examples/hello-ts
`,
  async run(args, io) {
    const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
    const [sub, name, path] = positionals;
    if (sub !== "run" || name === undefined) {
      io.stderr('Error: Expected "rohas cron run <Name> [path]"\n');
      return 1;
    }
    try {
      return await runJob(name, path ?? ".", io);
    } catch (error) {
      io.stderr(`Error: ${(error as Error).message ?? String(error)}\n`);
      return 1;
    }
  },
};
