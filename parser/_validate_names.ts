/**
 * Name checks: duplicate definitions and handler/middleware names that are not identifiers.
 *
 * Every definition kind shares ONE namespace, as in the original, extended to the two kinds the
 * original forgot (inputs and crons). The generated TypeScript barrel exports a type named after
 * every definition (`User`, the event interface `UserCreated`, `CreateUserRequest`...), so a model
 * and an event with the same name would collide there; an api and an event with the same name are
 * also ambiguous in traces and in the workbench.
 *
 * @module
 */

import type { DefinitionKind, Schema } from "./ast.ts";
import { VALIDATION_CODES } from "./_validate_codes.ts";
import { KIND_LABELS, type ValidationContext } from "./_validate_context.ts";
import { snakeCase } from "./names.ts";

/** A definition with its kind, in the order duplicates are looked for. */
export interface KindedDefinition {
  kind: DefinitionKind;
  node: { name: string };
}

/** Every definition in namespace order: the original's order, inputs after types, crons after events.
 *
 * @param schema the schema
 * @returns the definitions with their kinds
 */
export function definitionsInOrder(schema: Schema): KindedDefinition[] {
  return [
    ...schema.models.map((node) => ({ kind: "model" as const, node })),
    ...schema.types.map((node) => ({ kind: "type" as const, node })),
    ...schema.inputs.map((node) => ({ kind: "input" as const, node })),
    ...schema.apis.map((node) => ({ kind: "api" as const, node })),
    ...schema.events.map((node) => ({ kind: "event" as const, node })),
    ...schema.crons.map((node) => ({ kind: "cron" as const, node })),
    ...schema.websockets.map((node) => ({ kind: "ws" as const, node })),
  ];
}

/** Reports every definition whose name an earlier definition already took.
 *
 * @param schema the schema
 * @param context where diagnostics go
 */
export function checkDuplicates(schema: Schema, context: ValidationContext): void {
  const seen = new Set<string>();
  for (const { kind, node } of definitionsInOrder(schema)) {
    if (seen.has(node.name)) {
      context.error(
        context.nameSpan(node),
        VALIDATION_CODES.duplicateDefinition,
        `Duplicate definition: ${KIND_LABELS[kind]} '${node.name}'`,
      );
    }
    seen.add(node.name);
  }
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether a name can be a file stem and a function name in both TypeScript and Python.
 *
 * @param name the name
 * @returns true for letters, digits and `_`, not starting with a digit
 */
export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

/** Reports handler and middleware names that are not identifiers, and handlers listed twice.
 *
 * @param schema the schema
 * @param context where diagnostics go
 */
export function checkHandlerNames(schema: Schema, context: ValidationContext): void {
  for (const event of schema.events) {
    checkHandlerList(
      { owner: event, label: "Event", key: "handler", handlers: event.handlers },
      context,
    );
  }
  for (const ws of schema.websockets) {
    const lists = {
      onConnect: ws.on_connect,
      onMessage: ws.on_message,
      onDisconnect: ws.on_disconnect,
    };
    for (const [key, handlers] of Object.entries(lists)) {
      checkHandlerList({ owner: ws, label: "WebSocket", key, handlers }, context);
    }
    checkMiddlewares(ws, "WebSocket", context);
  }
  for (const api of schema.apis) checkMiddlewares(api, "API", context);
}

interface HandlerList {
  owner: { name: string };
  label: string;
  /** The property key as written in source (`handler`, `onConnect`...). */
  key: string;
  handlers: string[];
}

function checkHandlerList(list: HandlerList, context: ValidationContext): void {
  const { owner, label, key, handlers } = list;
  const seen = new Set<string>();
  handlers.forEach((handler, index) => {
    const span = context.itemSpan(owner, key, index);
    if (!isIdentifier(handler)) {
      context.error(
        span,
        VALIDATION_CODES.invalidHandlerName,
        `Invalid handler name '${handler}' in ${label} '${owner.name}': ${IDENTIFIER_RULE}`,
      );
    } else if (seen.has(handler)) {
      context.warning(
        span,
        VALIDATION_CODES.duplicateHandler,
        `Handler '${handler}' is listed twice in ${key} of ${label} '${owner.name}'`,
      );
    }
    seen.add(handler);
  });
}

function checkMiddlewares(
  owner: { name: string; middlewares: string[] },
  label: string,
  context: ValidationContext,
): void {
  owner.middlewares.forEach((middleware, index) => {
    if (isIdentifier(middleware)) return;
    context.error(
      context.itemSpan(owner, "middlewares", index),
      VALIDATION_CODES.invalidMiddlewareName,
      `Invalid middleware name '${middleware}' in ${label} '${owner.name}': ${IDENTIFIER_RULE}`,
    );
  });
}

const IDENTIFIER_RULE = "use letters, digits and '_', not starting with a digit";

/** The generated folder of each kind; inputs and types share `dto/`. */
const GENERATED_FOLDERS = {
  model: "models",
  type: "dto",
  input: "dto",
  api: "api",
  event: "events",
  cron: "cron",
  ws: "websockets",
} as const satisfies Record<DefinitionKind, string>;

/** Reports distinct names that give the same generated file (`UserId` and `userId`: `user_id`).
 *
 * @param schema the schema
 * @param context where diagnostics go
 */
export function checkFileNames(schema: Schema, context: ValidationContext): void {
  const taken = new Map<string, KindedDefinition>();
  for (const definition of definitionsInOrder(schema)) {
    const { kind, node } = definition;
    const file = `src/generated/${GENERATED_FOLDERS[kind]}/${snakeCase(node.name)}`;
    const earlier = taken.get(file);
    if (earlier === undefined) {
      taken.set(file, definition);
      continue;
    }
    if (earlier.node.name === node.name) continue; // a duplicate name, reported as such
    context.error(
      context.nameSpan(node),
      VALIDATION_CODES.fileNameConflict,
      `Generated file conflict: ${KIND_LABELS[kind]} '${node.name}' and ${
        KIND_LABELS[earlier.kind]
      } '${earlier.node.name}' both generate ${file}`,
    );
  }
}
