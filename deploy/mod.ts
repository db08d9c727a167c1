/**
 * Leaving the machine: the embedded entry every project's `main.ts` runs under `deno serve`,
 * `deno serve --parallel`, Deno Deploy and `deno compile`, and the checks of Deploy mode.
 *
 * @example The whole `main.ts` codegen writes (it needs a project's generated app, so it is not run as a documentation test)
 * ```ts ignore
 * import { createEntry } from "@rohas/cli/deploy";
 * import { app } from "./src/generated/app.ts";
 * const entry = createEntry(app);
 * for (const cron of entry.crons) Deno.cron(cron.name, cron.schedule, cron.options, cron.run);
 * await entry.start();
 * export default { fetch: entry.fetch };
 * ```
 *
 * @module
 */

export {
  createEntry,
  type EmbeddedApp,
  type Entry,
  type EntryCron,
  type EntryOptions,
} from "./entry.ts";
export { checkDeployable, denoCronSchedule } from "./deploy_checks.ts";
export { type BroadcastRelay, relayOverChannel } from "./broadcast_relay.ts";
export { DeployError } from "./errors.ts";
