/**
 * Checks of the `on handler { … }` flow controls of events: the handler is one of the event's, each
 * handler has one block, `by` paths name scalar payload fields, and no two controls contradict.
 *
 * @module
 */

import type { Event, Field, FlowControlKey, FlowControls, Schema } from "./ast.ts";
import { VALIDATION_CODES } from "./_validate_codes.ts";
import type { ValidationContext } from "./_validate_context.ts";
import { suggestionSuffix } from "./_validate_suggest.ts";

type Fields = ReadonlyMap<string, readonly Field[]>;

const KEYED = ["concurrency", "rate", "throttle", "debounce"] as const satisfies FlowControlKey[];

/** Reports flow control problems of every event. */
export function checkFlowControls(schema: Schema, context: ValidationContext): void {
  const fields: Fields = new Map(
    [...schema.models, ...schema.types, ...schema.inputs].map((d) => [d.name, d.fields]),
  );
  for (const event of schema.events) {
    const seen = new Set<string>();
    for (const flow of event.flow ?? []) {
      checkHandler(event, flow, seen, context);
      for (const key of KEYED) checkKeyPath(event, flow, key, { fields, context });
      if (flow.batch !== undefined && flow.debounce !== undefined) {
        const message = `Handler '${flow.handler}' of event '${event.name}' cannot both batch ` +
          `and debounce: a debounced run receives one event`;
        context.error(
          context.propertySpan(flow, "batch"),
          VALIDATION_CODES.conflictingFlowControls,
          message,
        );
      }
      checkOrdered(event, flow, context);
    }
  }
}

/** `ordered: true` promises one run at a time, which `concurrency` above 1 contradicts. */
function checkOrdered(event: Event, flow: FlowControls, context: ValidationContext): void {
  const limit = flow.concurrency?.limit ?? 1;
  if (flow.ordered !== true || limit <= 1) return;
  const message = `Handler '${flow.handler}' of event '${event.name}' cannot be ordered with ` +
    `concurrency ${limit}: ordered runs one event at a time (remove one of them)`;
  context.error(
    context.propertySpan(flow, "ordered"),
    VALIDATION_CODES.conflictingFlowControls,
    message,
  );
}

function checkHandler(
  event: Event,
  flow: FlowControls,
  seen: Set<string>,
  context: ValidationContext,
): void {
  const span = context.nameSpan(flow);
  if (!event.handlers.includes(flow.handler)) {
    const message = `Flow controls for '${flow.handler}', which is not a handler of event ` +
      `'${event.name}'${suggestionSuffix(flow.handler, event.handlers)}`;
    context.error(span, VALIDATION_CODES.unknownFlowHandler, message);
  } else if (seen.has(flow.handler)) {
    const message = `Flow controls for handler '${flow.handler}' of event '${event.name}' are ` +
      `declared twice: merge the 'on ${flow.handler}' blocks`;
    context.error(span, VALIDATION_CODES.duplicateFlowHandler, message);
  }
  seen.add(flow.handler);
}

function checkKeyPath(
  event: Event,
  flow: FlowControls,
  key: typeof KEYED[number],
  scope: { fields: Fields; context: ValidationContext },
): void {
  const path = flow[key]?.key;
  if (path === undefined) return;
  const problem = pathProblem(event.payload, path.split("."), scope.fields);
  if (problem === null) return;
  const message = `Invalid ${key} key '${path}' for handler '${flow.handler}' of event ` +
    `'${event.name}': ${problem}`;
  const span = scope.context.propertySpan(flow, `${key}.by`);
  scope.context.error(span, VALIDATION_CODES.invalidKeyPath, message);
}

/** Why a path names no scalar field of a type, or null. Unknown payload types are reported
 * elsewhere, so they yield null here.
 */
function pathProblem(typeName: string, path: string[], fields: Fields): string | null {
  let current = fields.get(typeName);
  if (current === undefined) return null;
  let owner = typeName;
  for (const [index, part] of path.entries()) {
    const field = current.find((f) => f.name === part);
    if (field === undefined) {
      const names = current.map((f) => f.name);
      return `'${owner}' has no field '${part}'${suggestionSuffix(part, names)}`;
    }
    const type = field.field_type;
    const last = index === path.length - 1;
    if (typeof type === "string") {
      if (last) return type === "Json" ? `'${part}' is Json, not a scalar` : null;
      return `'${part}' is ${type} and has no fields`;
    }
    if ("Array" in type) return `'${part}' is a list; a key must name one scalar value`;
    const next = fields.get(type.Custom);
    if (next === undefined) return null;
    if (last) return `'${part}' is ${type.Custom}; a key must name a scalar field of it`;
    current = next;
    owner = type.Custom;
  }
  return null;
}
