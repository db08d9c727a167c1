/**
 * Reference checks: every type name and every triggered event must be defined.
 *
 * @module
 */

import type { Field, FieldType, Schema } from "./ast.ts";
import { VALIDATION_CODES } from "./_validate_codes.ts";
import type { ValidationContext } from "./_validate_context.ts";
import { suggestionSuffix } from "./_validate_suggest.ts";

/** Type names every schema has. `Bool` is the original's alias of `Boolean`. */
export const PRIMITIVE_TYPES: readonly string[] = [
  "Int",
  "Float",
  "String",
  "Boolean",
  "Bool",
  "DateTime",
  "Json",
];

/** The custom type name a field type refers to, looking through arrays; null for primitives.
 *
 * @param fieldType the field type
 * @returns the custom name or null
 */
export function customTypeName(fieldType: FieldType): string | null {
  if (typeof fieldType === "string") return null;
  if ("Array" in fieldType) return customTypeName(fieldType.Array);
  return fieldType.Custom;
}

/** Reports undefined types in fields, `body`, `response`, `payload` and `message`.
 *
 * @param schema the schema
 * @param context where diagnostics go
 */
export function checkTypeReferences(schema: Schema, context: ValidationContext): void {
  const known = new Set<string>(PRIMITIVE_TYPES);
  for (const node of [...schema.models, ...schema.types, ...schema.inputs]) known.add(node.name);
  const check = (name: string, node: object, key: string, where: string): void => {
    if (name === "" || known.has(name)) return;
    context.error(
      context.propertySpan(node, key),
      VALIDATION_CODES.undefinedType,
      `Undefined type '${name}' in ${where}${suggestionSuffix(name, known)}`,
    );
  };
  const checkFields = (owner: { name: string; fields: Field[] }, label: string): void => {
    for (const field of owner.fields) {
      const name = customTypeName(field.field_type);
      if (name !== null) {
        check(name, field, "type", `field '${field.name}' of ${label} '${owner.name}'`);
      }
    }
  };
  for (const model of schema.models) checkFields(model, "Model");
  for (const type of schema.types) checkFields(type, "Type");
  for (const input of schema.inputs) checkFields(input, "Input");
  for (const api of schema.apis) {
    if (api.body !== null) check(api.body, api, "body", `body of API '${api.name}'`);
    check(api.response, api, "response", `response of API '${api.name}'`);
  }
  for (const event of schema.events) {
    check(event.payload, event, "payload", `payload of Event '${event.name}'`);
  }
  for (const ws of schema.websockets) {
    if (ws.message !== null) check(ws.message, ws, "message", `message of WebSocket '${ws.name}'`);
  }
}

/** Reports `triggers:` items that name no event, in every kind that has triggers.
 *
 * @param schema the schema
 * @param context where diagnostics go
 */
export function checkTriggerReferences(schema: Schema, context: ValidationContext): void {
  const events = new Set(schema.events.map((event) => event.name));
  const owners = [
    ...schema.apis.map((node) => ({ node, label: "API" })),
    ...schema.events.map((node) => ({ node, label: "Event" })),
    ...schema.crons.map((node) => ({ node, label: "Cron" })),
    ...schema.websockets.map((node) => ({ node, label: "WebSocket" })),
  ];
  for (const { node, label } of owners) {
    node.triggers.forEach((trigger, index) => {
      if (events.has(trigger)) return;
      context.error(
        context.itemSpan(node, "triggers", index),
        VALIDATION_CODES.undefinedEvent,
        `Undefined event '${trigger}' in triggers of ${label} '${node.name}'${
          suggestionSuffix(trigger, events)
        }`,
      );
    });
  }
}

/** Reports an event without a payload and a cron without a schedule.
 *
 * @param schema the schema
 * @param context where diagnostics go
 */
export function checkRequiredProperties(schema: Schema, context: ValidationContext): void {
  for (const event of schema.events) {
    if (event.payload !== "") continue;
    context.error(
      context.nameSpan(event),
      VALIDATION_CODES.missingPayload,
      `Invalid event definition: Missing payload for event '${event.name}'`,
    );
  }
  for (const cron of schema.crons) {
    if (cron.schedule !== "") continue;
    context.error(
      context.nameSpan(cron),
      VALIDATION_CODES.missingSchedule,
      `Invalid cron definition: Missing schedule for cron '${cron.name}'`,
    );
  }
}
