import assert from "node:assert/strict";
import { emptySchema, validateSchema } from "../../parser/mod.ts";
import { nextCronRuns, validateCronExpression } from "./cron_expression.ts";
import { InvalidCronExpressionError } from "./errors.ts";

/** Friday 2 January 2026, 10:00 UTC. */
const FRIDAY = new Date("2026-01-02T10:00:00Z");

function runs(expression: string, count: number, from = FRIDAY, timezone?: string): string[] {
  const options = timezone === undefined ? { from } : { from, timezone };
  return nextCronRuns(expression, count, options).map((date) => date.toISOString());
}

Deno.test("nextCronRuns() reads 5 fields minute first, in UTC", () => {
  assert.deepEqual(runs("30 9 * * 1-5", 2), [
    "2026-01-05T09:30:00.000Z",
    "2026-01-06T09:30:00.000Z",
  ]);
  assert.deepEqual(runs("*/15 10 * * *", 3), [
    "2026-01-02T10:15:00.000Z",
    "2026-01-02T10:30:00.000Z",
    "2026-01-02T10:45:00.000Z",
  ]);
});

Deno.test("nextCronRuns() takes both 0 and 7 as Sunday in 5 fields", () => {
  assert.deepEqual(runs("0 9 * * 0", 1), ["2026-01-04T09:00:00.000Z"]);
  assert.deepEqual(runs("0 9 * * 7", 1), ["2026-01-04T09:00:00.000Z"]);
});

Deno.test("nextCronRuns() reads the original's 6 fields seconds first", () => {
  assert.deepEqual(runs("0 */5 * * * *", 2), [
    "2026-01-02T10:05:00.000Z",
    "2026-01-02T10:10:00.000Z",
  ]);
  assert.deepEqual(runs("30 0 10 * * *", 1), ["2026-01-02T10:00:30.000Z"]);
});

Deno.test("nextCronRuns() numbers 6-field days of the week 1 = Sunday to 7 = Saturday", () => {
  assert.deepEqual(runs("0 0 9 * * 1", 1), ["2026-01-04T09:00:00.000Z"]);
  assert.deepEqual(runs("0 0 9 * * 2", 1), ["2026-01-05T09:00:00.000Z"]);
  assert.deepEqual(runs("0 0 9 * * 7", 1), ["2026-01-03T09:00:00.000Z"]);
  assert.deepEqual(runs("0 0 9 * * Sun", 1), ["2026-01-04T09:00:00.000Z"]);
});

Deno.test("nextCronRuns() requires both day fields in 6 fields, like the original", () => {
  // Friday the 13th: day 13 and day-of-week 6 (Friday) must both hold.
  assert.deepEqual(runs("0 0 9 13 * 6", 2), [
    "2026-02-13T09:00:00.000Z",
    "2026-03-13T09:00:00.000Z",
  ]);
});

Deno.test("nextCronRuns() reads a 7th field as the year and stops after it", () => {
  assert.deepEqual(runs("0 0 0 1 1 * 2030", 3), ["2030-01-01T00:00:00.000Z"]);
});

Deno.test("nextCronRuns() evaluates in a time zone across daylight saving time", () => {
  assert.deepEqual(runs("0 9 * * *", 1, FRIDAY, "Europe/Berlin"), ["2026-01-03T08:00:00.000Z"]);
  const summer = new Date("2026-07-01T00:00:00Z");
  assert.deepEqual(runs("0 0 9 * * *", 1, summer, "Europe/Berlin"), ["2026-07-01T07:00:00.000Z"]);
});

Deno.test("validateCronExpression() accepts every supported form", () => {
  for (
    const expression of [
      "* * * * *",
      "0 */5 * * * *",
      "0 0 0 1 1 * 2030",
      "@daily",
      " 0 9 * * Mon ",
    ]
  ) {
    assert.equal(validateCronExpression(expression), null, expression);
  }
  assert.equal(validateCronExpression("0 9 * * *", { timezone: "America/New_York" }), null);
});

Deno.test("validateCronExpression() explains what is wrong with the parser's words", () => {
  assert.equal(
    validateCronExpression("* * *", { job: "Nightly" }),
    "Invalid cron expression '* * *' of Cron 'Nightly': expected 5 fields (minute first), 6 (seconds first) or 7 (with a year), got 3",
  );
  assert.match(
    validateCronExpression("61 * * * *") ?? "",
    /^Invalid cron expression '61 \* \* \* \*' of Cron 'Cron': minute 61 is out of range 0-59$/,
  );
  assert.match(validateCronExpression("0 0 9 * * 0") ?? "", /day-of-week 0 is out of range 1-7$/);
  assert.equal(
    validateCronExpression("0 9 * * *", { timezone: "Mars/Olympus", job: "Nightly" }),
    "Unknown time zone 'Mars/Olympus' of Cron 'Nightly': use an IANA name such as 'Europe/Berlin'",
  );
});

Deno.test("validateCronExpression() agrees with validateSchema() on every expression", () => {
  const expressions = [
    "0 */5 * * * *",
    "0 0 9 * * 8",
    "0 0 0 32 * *",
    "*/0 * * * *",
    "@weekly",
    "",
  ];
  for (const schedule of expressions) {
    const schema = { ...emptySchema(), crons: [{ name: "Cron", schedule, triggers: [] }] };
    const errors = validateSchema(schema).filter((d) => d.severity === "error");
    assert.equal(validateCronExpression(schedule), errors[0]?.message ?? null, schedule);
  }
});

Deno.test("nextCronRuns() throws InvalidCronExpressionError for an out-of-range weekday", () => {
  assert.throws(() => nextCronRuns("0 0 9 * * 8", 1), InvalidCronExpressionError);
});
