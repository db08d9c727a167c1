/**
 * Event payloads checked against their event's payload type, with the compiled validators the
 * engine already has for request bodies (`codegen/validators.ts`). The bus runs the check on every
 * publish and replay, so every source (an API's triggers, `state.triggerEvent`, a cron run, an
 * edge's publish relayed to the main process, the workbench, `rohas dlq replay`) crosses it.
 *
 * @module
 */

/** One problem in a payload: `path` like `address.street` or `tags[2]`, `""` for the root. */
export interface PayloadIssue {
  /** Where in the payload. */
  path: string;
  /** What is wrong, for people. */
  message: string;
}

/** What a payload check found wrong with one payload. */
export interface PayloadRefusal {
  /** The event's declared payload type. */
  payloadType: string;
  /** Every problem, sorted by path. */
  issues: PayloadIssue[];
}

/** Checks a payload published to a topic; null when it passes (or nothing checks that topic). */
export type PayloadCheck = (topic: string, payload: unknown) => PayloadRefusal | null;

/** The events a check knows: each event's name and payload type. */
export interface PayloadTypes {
  /** The events of the model. */
  readonly events: readonly { readonly event: string; readonly payloadType: string }[];
  /** Validators by type name (`compileValidators`). */
  readonly validators: ReadonlyMap<string, (value: unknown) => PayloadIssue[]>;
}

/**
 * Builds the check of a model's events. A topic the model does not declare, or whose payload type
 * has no validator, is not checked (the schema validation refuses unknown payload types).
 *
 * @param types the events and the validators
 * @returns the check
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { payloadCheck } from "./payload_check.ts";
 * const check = payloadCheck({
 *   events: [{ event: "Ping", payloadType: "Int" }],
 *   validators: new Map([["Int", (v: unknown) =>
 *     Number.isInteger(v) ? [] : [{ path: "", message: "Expected an integer" }]]]),
 * });
 * assertEquals(check("Ping", 1), null);
 * assertEquals(check("Ping", "x")?.issues[0]?.message, "Expected an integer");
 * ```
 */
export function payloadCheck(types: PayloadTypes): PayloadCheck {
  const byTopic = new Map<
    string,
    { payloadType: string; validate: (v: unknown) => PayloadIssue[] }
  >();
  for (const { event, payloadType } of types.events) {
    const validate = types.validators.get(payloadType);
    if (validate) byTopic.set(event, { payloadType, validate });
  }
  return (topic, payload) => {
    const known = byTopic.get(topic);
    if (!known) return null;
    const issues = known.validate(payload);
    if (issues.length === 0) return null;
    return { payloadType: known.payloadType, issues: issues.sort(byPath) };
  };
}

/**
 * `ms: Expected an integer, got string; n: required` — at most `max` issues, then how many more.
 *
 * @param issues the issues
 * @param max how many to spell out. Default 3
 * @returns one line
 */
export function describeIssues(issues: readonly PayloadIssue[], max = 3): string {
  const shown = issues.slice(0, max).map((i) =>
    i.path === "" ? i.message : `${i.path}: ${i.message}`
  );
  const more = issues.length - shown.length;
  return shown.join("; ") + (more > 0 ? `; and ${more} more` : "");
}

function byPath(a: PayloadIssue, b: PayloadIssue): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : a.message < b.message ? -1 : 1;
}
