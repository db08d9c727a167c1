/**
 * What Deno Deploy cannot run, found before anything starts: each refusal names the setting and
 * what to change. Deno Deploy runs one isolate per instance with one set of permissions, no FFI,
 * no subprocess and no writable disk; crons run through `Deno.cron` (five fields, UTC, at most once
 * a minute).
 *
 * @module
 */

import type { RohasConfig } from "../project/mod.ts";
import type { AppModel, ScheduleSpec } from "../engine/mod.ts";
import { DeployError } from "./errors.ts";

const PREFIX = "Cannot run on Deno Deploy";

/**
 * Refuses a config or model Deno Deploy cannot run, with every reason at once.
 *
 * @param config the resolved config
 * @param model the application model
 * @throws {DeployError} naming each setting to change
 * @example
 * ```ts
 * import { throws } from "node:assert/strict";
 * import { parseConfig } from "../project/mod.ts";
 * import { checkDeployable } from "./deploy_checks.ts";
 * const config = parseConfig('[adapter]\ntype = "rocksdb"\n', { file: "rohas.toml" });
 * const model = { project: "app", root: "/app", routes: [], events: [], schedules: [], sockets: [] };
 * throws(() => checkDeployable(config, model), /rocksdb/);
 * ```
 */
export function checkDeployable(config: RohasConfig, model: AppModel): void {
  const problems = [
    ...languageProblems(config),
    ...adapterProblems(config),
    ...permissionProblems(config),
    ...model.schedules.flatMap(scheduleProblems),
  ];
  if (problems.length === 0) return;
  throw new DeployError(`${PREFIX}:\n${problems.map((p) => `- ${p}`).join("\n")}`);
}

function languageProblems(config: RohasConfig): string[] {
  if (config.project.language !== "python") return [];
  return [
    '[project] language is "python": Deno Deploy, deno serve and deno compile run TypeScript handlers only (serve a Python project with rohas start)',
  ];
}

function adapterProblems(config: RohasConfig): string[] {
  const adapter = config.adapter;
  if (adapter.type === "rocksdb") {
    return [
      '[adapter] type = "rocksdb" needs native code (FFI) and a writable directory: use type = "denokv" (the project\'s KV queues) or a network broker',
    ];
  }
  if (adapter.type === "denokv" && typeof adapter.settings["path"] === "string") {
    return [
      `[adapter] path = ${
        JSON.stringify(adapter.settings["path"])
      } names a file, and Deno Deploy has no writable disk: remove it to use the project's KV`,
    ];
  }
  return [];
}

function permissionProblems(config: RohasConfig): string[] {
  return Object.keys(config.permissions.handlers).map((name) =>
    `[permissions.handlers.${name}] gives one handler permissions of its own, and Deno Deploy grants one set to the whole isolate: remove the table (or serve with rohas start, where each permission profile runs in its own Worker)`
  );
}

function scheduleProblems(spec: ScheduleSpec): string[] {
  try {
    denoCronSchedule(spec);
    return [];
  } catch (error) {
    if (!(error instanceof DeployError)) throw error;
    return [error.message];
  }
}

/**
 * The schedule `Deno.cron` accepts for a cron job: five fields in UTC. A six-field schedule whose
 * seconds field is `0` loses it (a seven-field one its year `*` too).
 *
 * @param spec the job
 * @returns the five-field schedule
 * @throws {DeployError} when `Deno.cron` cannot run the schedule (seconds, a time zone, names or
 * `L`/`#`/`?` that only the engine's scheduler understands)
 * @example
 * ```ts
 * import { strictEqual as assertEquals } from "node:assert/strict";
 * import { denoCronSchedule } from "./deploy_checks.ts";
 * const spec = { name: "Tick", schedule: "0 30 9 * * 1", handler: { kind: "cron", name: "tick", file: "", exportName: "" }, triggers: [] };
 * assertEquals(denoCronSchedule(spec as never), "30 9 * * 1");
 * ```
 */
export function denoCronSchedule(spec: ScheduleSpec): string {
  const cant = (why: string) =>
    new DeployError(`cron ${spec.name} (schedule "${spec.schedule}") ${why}`);
  if (spec.timezone !== undefined && !["UTC", "Etc/UTC"].includes(spec.timezone)) {
    throw cant(
      `runs in time zone ${spec.timezone}, and Deno.cron runs in UTC: write the schedule in UTC and remove the time zone`,
    );
  }
  let fields = spec.schedule.trim().split(/\s+/);
  if (fields.length === 7) {
    if (fields[6] !== "*") throw cant("names a year, which Deno.cron cannot: use five fields");
    fields = fields.slice(0, 6);
  }
  if (fields.length === 6) {
    if (fields[0] !== "0") {
      throw cant(
        "runs more than once a minute, and Deno.cron runs at most once a minute: use five fields",
      );
    }
    fields = fields.slice(1);
  }
  const odd = fields.find((field) => !/^[0-9*,/-]+$/.test(field));
  if (fields.length !== 5 || odd !== undefined) {
    throw cant(
      "uses syntax Deno.cron does not accept (it takes numbers, *, ranges, steps and lists in five fields)",
    );
  }
  return fields.join(" ");
}
