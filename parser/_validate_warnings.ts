/**
 * Warnings: things that do not break the app at run time but are probably mistakes.
 *
 * @module
 */

import type { Event, Field, Schema } from "./ast.ts";
import { VALIDATION_CODES } from "./_validate_codes.ts";
import type { ValidationContext } from "./_validate_context.ts";
import { customTypeName } from "./_validate_references.ts";

/** Warns about events with no handler that no definition triggers (only a handler could publish them).
 *
 * @param schema the schema
 * @param context where diagnostics go
 */
export function warnUnusedEvents(schema: Schema, context: ValidationContext): void {
  const triggered = new Set<string>();
  for (const node of [...schema.apis, ...schema.events, ...schema.crons, ...schema.websockets]) {
    for (const trigger of node.triggers) {
      if (trigger !== node.name) triggered.add(trigger);
    }
  }
  for (const event of schema.events) {
    if (event.handlers.length > 0 || triggered.has(event.name)) continue;
    context.warning(
      context.nameSpan(event),
      VALIDATION_CODES.unusedEvent,
      `Event '${event.name}' has no handler and no definition triggers it`,
    );
  }
}

/** Warns about inputs and types nothing refers to (models are entities and may stand alone).
 *
 * @param schema the schema
 * @param context where diagnostics go
 */
export function warnUnusedTypes(schema: Schema, context: ValidationContext): void {
  const used = new Set<string>();
  for (const api of schema.apis) {
    if (api.body !== null) used.add(api.body);
    used.add(api.response);
  }
  for (const event of schema.events) used.add(event.payload);
  for (const ws of schema.websockets) if (ws.message !== null) used.add(ws.message);
  for (const owner of [...schema.models, ...schema.types, ...schema.inputs]) {
    for (const name of fieldTypeNames(owner.fields)) if (name !== owner.name) used.add(name);
  }
  const candidates = [
    ...schema.inputs.map((node) => ({ node, label: "Input" })),
    ...schema.types.map((node) => ({ node, label: "Type" })),
  ];
  for (const { node, label } of candidates) {
    if (used.has(node.name)) continue;
    context.warning(
      context.nameSpan(node),
      VALIDATION_CODES.unusedType,
      `${label} '${node.name}' is never used`,
    );
  }
}

/** Warns about GET and DELETE apis whose body type has fields a query string cannot carry: such a
 * body is read from the query string (`?name=Ada&tags=a&tags=b`), where only primitives and arrays
 * of primitives can be written.
 *
 * @param schema the schema
 * @param context where diagnostics go
 */
export function warnBodyOnGet(schema: Schema, context: ValidationContext): void {
  const types = new Map<string, Field[]>();
  for (const node of [...schema.inputs, ...schema.models, ...schema.types]) {
    if (!types.has(node.name)) types.set(node.name, node.fields);
  }
  for (const api of schema.apis) {
    if ((api.method !== "GET" && api.method !== "DELETE") || api.body === null) continue;
    const field = types.get(api.body)?.find((f) => !isQueryScalar(f.field_type));
    if (field === undefined) continue;
    context.warning(
      context.propertySpan(api, "body"),
      VALIDATION_CODES.bodyOnGet,
      `API '${api.name}' is a ${api.method}, so its body '${api.body}' is read from the query string, which cannot carry field '${field.name}': use POST or primitive fields`,
    );
  }
}

function isQueryScalar(type: Field["field_type"]): boolean {
  const inner = typeof type === "object" && "Array" in type ? type.Array : type;
  return typeof inner === "string" && inner !== "Json";
}

function fieldTypeNames(fields: Field[]): string[] {
  return fields.map((field) => customTypeName(field.field_type)).filter((n) => n !== null);
}

/** Warns about event `triggers:` items that lead back to the event (an endless chain).
 *
 * @param schema the schema
 * @param context where diagnostics go
 */
export function warnTriggerCycles(schema: Schema, context: ValidationContext): void {
  const component = stronglyConnectedComponents(schema.events);
  for (const event of schema.events) {
    event.triggers.forEach((trigger, index) => {
      const closesCycle = trigger === event.name ||
        (component.has(trigger) && component.get(trigger) === component.get(event.name));
      if (!closesCycle) return;
      const route = trigger === event.name
        ? "itself"
        : `'${trigger}', which leads back to '${event.name}'`;
      context.warning(
        context.itemSpan(event, "triggers", index),
        VALIDATION_CODES.triggerCycle,
        `Event '${event.name}' triggers ${route}: every occurrence repeats forever`,
      );
    });
  }
}

/** Tarjan's algorithm, iterative: event name to component id, for events on a cycle of 2 or more. */
function stronglyConnectedComponents(events: Event[]): Map<string, number> {
  const names = new Set(events.map((event) => event.name));
  const edges = new Map<string, string[]>();
  for (const event of events) edges.set(event.name, event.triggers.filter((t) => names.has(t)));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const result = new Map<string, number>();
  let counter = 0;
  let components = 0;
  for (const root of edges.keys()) {
    if (index.has(root)) continue;
    const work: { node: string; next: number }[] = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work.at(-1)!;
      const targets = edges.get(frame.node) ?? [];
      if (frame.next < targets.length) {
        const target = targets[frame.next++]!;
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      const parent = work.at(-1);
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) !== index.get(frame.node)) continue;
      const members: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        members.push(member);
      } while (member !== frame.node);
      if (members.length > 1) {
        for (const m of members) result.set(m, components);
        components++;
      }
    }
  }
  return result;
}
