/**
 * `rohas cron run <Name> [path]`: runs one cron job now in a fresh engine instance, publishes its
 * triggers, waits until the events it caused were handled, and exits 0 (success) or 1.
 *
 * @module
 */

import type { CliIo, CommandRun } from "./command.ts";
import type { CRON } from "./commands.ts";
import { findProject, loadConfig } from "../project/mod.ts";
import { createAdapter } from "../adapters/mod.ts";
import { EventBus, retryPolicyOf } from "../engine/events/mod.ts";
import { createEngine } from "../engine/app.ts";
import { prepareApp } from "../engine/project_loader.ts";
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

/** Runs `rohas cron run <Name> [path]`. */
export const run: CommandRun<typeof CRON> = async ({ args, project }, io) =>
  // The parser checked that the action is "run" and that the name is there.
  await runJob(args.Name!, project ?? ".", io);
