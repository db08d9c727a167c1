import assert from "node:assert/strict";
import { parseConfig } from "../project/mod.ts";
import type { AppModel, ScheduleSpec } from "../engine/mod.ts";
import { checkDeployable, denoCronSchedule } from "./deploy_checks.ts";
import { DeployError } from "./errors.ts";

function cron(schedule: string, timezone?: string): ScheduleSpec {
  return {
    name: "Tick",
    schedule,
    ...(timezone === undefined ? {} : { timezone }),
    handler: { kind: "cron", name: "tick", file: "/app/src/handlers/cron/tick.ts", exportName: "" },
    triggers: [],
  } as unknown as ScheduleSpec;
}

function model(schedules: ScheduleSpec[] = []): AppModel {
  return { project: "app", root: "/app", routes: [], events: [], schedules, sockets: [] };
}

Deno.test("a default config and five-field crons run on Deno Deploy", () => {
  const config = parseConfig("", { file: "rohas.toml" });
  checkDeployable(config, model([cron("*/5 * * * *")]));
});

Deno.test("Deno Deploy refuses every setting it cannot run, all in one message", () => {
  const config = parseConfig(
    '[project]\nlanguage = "python"\n[adapter]\ntype = "denokv"\npath = "events.kv"\n' +
      "[permissions.handlers.audit]\nnet = false\n",
    { file: "rohas.toml" },
  );
  assert.throws(() => checkDeployable(config, model([cron("*/10 * * * * *")])), (error) => {
    assert(error instanceof DeployError);
    const lines = error.message.split("\n");
    assert.equal(lines[0], "Cannot run on Deno Deploy:");
    assert.equal(lines.length, 5);
    assert.match(lines[1]!, /\[project\] language is "python"/);
    assert.match(lines[2]!, /\[adapter\] path = "events\.kv" names a file/);
    assert.match(lines[3]!, /\[permissions\.handlers\.audit\]/);
    assert.match(lines[4]!, /cron Tick .* runs more than once a minute/);
    return true;
  });
});

Deno.test("Deno.cron gets five UTC fields: a zero seconds field and a * year are dropped", () => {
  assert.equal(denoCronSchedule(cron("0 30 9 * * 1")), "30 9 * * 1");
  assert.equal(denoCronSchedule(cron("0 0 12 * * * *")), "0 12 * * *");
  assert.equal(denoCronSchedule(cron("15 * * * *", "UTC")), "15 * * * *");
});

Deno.test("Deno.cron refuses time zones, years and syntax only the engine's scheduler knows", () => {
  assert.throws(() => denoCronSchedule(cron("0 9 * * *", "Europe/Paris")), /time zone/);
  assert.throws(() => denoCronSchedule(cron("0 0 0 1 1 * 2027")), /names a year/);
  assert.throws(() => denoCronSchedule(cron("0 9 * * MON")), /syntax Deno\.cron does not accept/);
  assert.throws(() => denoCronSchedule(cron("0 9 L * *")), /syntax Deno\.cron does not accept/);
});
