/**
 * TypeScript handler and middleware stubs (docs/design.md#d4-typescript-handler-contracts):
 * snake_case files exporting the first export name the engine tries, typed with `import type` from
 * the generated modules.
 *
 * @module
 */

import { camel, pascal, snake, tsDoc } from "./_names.ts";
import { type HandlerPlan, isBatched } from "./_handlers.ts";
import { CodeWriter } from "./_writer.ts";

/** The export name codegen writes for a handler, the first one the engine tries.
 *
 * @param plan the handler file
 * @returns the function name
 */
export function tsExportName(plan: HandlerPlan): string {
  switch (plan.kind) {
    case "api":
      return `handle${plan.api.name}`;
    case "cron":
      return `handle${plan.cron.name}`;
    case "event":
    case "ws_connect":
    case "ws_message":
    case "ws_disconnect":
      return `handle${pascal(plan.entry)}`;
    case "middleware":
      return `${camel(plan.name)}Middleware`;
  }
}

/** The source of a TypeScript stub; `generated` is the import path prefix of `generated/`.
 *
 * @param plan the handler file
 * @returns the module source
 */
export function tsStub(plan: HandlerPlan): string {
  const w = new CodeWriter("  ");
  const gen = `${plan.dir.split("/").map(() => "..").join("/")}/generated`;
  const fn = tsExportName(plan);
  switch (plan.kind) {
    case "api":
      apiStub(w, plan, gen, fn);
      break;
    case "event":
      eventStub(w, plan, gen, fn);
      break;
    case "cron":
      cronStub(w, plan, gen, fn);
      break;
    case "ws_connect":
    case "ws_message":
    case "ws_disconnect":
      wsStub(w, plan, gen, fn);
      break;
    case "middleware":
      middlewareStub(w, plan, gen, fn);
      break;
  }
  return w.toString();
}

type Plan<K extends HandlerPlan["kind"]> = HandlerPlan & { kind: K };

function apiStub(w: CodeWriter, plan: Plan<"api">, gen: string, fn: string): void {
  const { name, method } = plan.api;
  const module = `${gen}/api/${snake(name)}.ts`;
  w.line(`import type { ${name}Request, ${name}Response } from "${module}";`);
  w.line(`import { HttpError, type State } from "${gen}/state.ts";`).line();
  w.line("/**").line(` * Handles API \`${name}\` (\`${method} ${tsDoc(plan.api.path)}\`).`).line(
    " *",
  );
  w.line(" * Return `{ data }`, a web `Response`, or throw `HttpError(status, message)`.");
  w.line(" * `state.setPayload(event, payload)` sets the payload of the events in `triggers:`;");
  w.line(" * `state.triggerEvent(event, payload)` publishes any other event.").line(" */");
  w.block(`export function ${fn}(`, () => {
    w.line(`req: ${name}Request,`).line("state: State,");
  }, `): Promise<${name}Response> {`);
  w.indent(() => {
    w.line(`state.logger.warn("Not implemented yet", { queryParams: req.queryParams });`);
    w.line(`throw new HttpError(501, "Not implemented: ${name}");`);
  }).line("}");
}

function eventStub(w: CodeWriter, plan: Plan<"event">, gen: string, fn: string): void {
  const types = [...new Set(plan.events.map((e) => e.name))];
  for (const type of types) {
    w.line(`import type { ${type} } from "${gen}/events/${snake(type)}.ts";`);
  }
  w.line(`import type { State } from "${gen}/state.ts";`).line();
  const params = eventParams(plan);
  if (params.batched) {
    w.line(
      `/** Handles event ${params.names}; a batched event arrives as an array. Throw to retry. */`,
    );
  } else w.line(`/** Handles event ${params.names}. Throw to retry it. */`);
  const signature = `${fn}(event: ${params.types.join(" | ")}, state: State): Promise<void>`;
  w.block(`export function ${signature} {`, () => {
    if (params.batched) {
      w.line(`state.logger.info("Received events", { batch: Array.isArray(event) });`);
    } else w.line(`state.logger.info("Received event", { id: event.id, attempt: event.attempt });`);
    w.line("return Promise.resolve();");
  }, "}");
}

/** The parameter type of each event a handler takes (`E[]` where it is batched). */
function eventParams(plan: Plan<"event">): { names: string; types: string[]; batched: boolean } {
  const seen = new Map<string, string>();
  for (const event of plan.events) {
    seen.set(event.name, isBatched(event, plan.entry) ? `${event.name}[]` : event.name);
  }
  const types = [...seen.values()];
  const names = [...seen.keys()].map((t) => `\`${t}\``).join(", ");
  return { names, types, batched: types.some((t) => t.endsWith("[]")) };
}

function cronStub(w: CodeWriter, plan: Plan<"cron">, gen: string, fn: string): void {
  w.line(`import type { State } from "${gen}/state.ts";`).line();
  w.line(`/** Runs cron job \`${plan.cron.name}\` (\`${tsDoc(plan.cron.schedule)}\`). */`);
  w.block(`export function ${fn}(state: State): Promise<void> {`, () => {
    w.line(`state.logger.info("Cron job ran", { job: ${JSON.stringify(plan.cron.name)} });`);
    w.line("return Promise.resolve();");
  }, "}");
}

function middlewareStub(w: CodeWriter, plan: Plan<"middleware">, gen: string, fn: string): void {
  w.line(`import type { MiddlewareContext, MiddlewareResult, State } from "${gen}/state.ts";`);
  w.line().line("/**").line(` * Middleware \`${plan.name}\`: runs before the handler.`).line(" *");
  w.line(" * Return null to pass, `{ payload, queryParams }` to replace them, or throw");
  w.line(" * `HttpError(status, message)` to reject the request with that status.").line(" */");
  w.block(`export function ${fn}(`, () => {
    w.line("context: MiddlewareContext,").line("state: State,");
  }, "): Promise<MiddlewareResult> {");
  w.indent(() => {
    w.line(`state.logger.debug("Middleware passed", { traceId: context.traceId });`);
    w.line("return Promise.resolve(null);");
  }).line("}");
}

function wsStub(
  w: CodeWriter,
  plan: Plan<"ws_connect" | "ws_message" | "ws_disconnect">,
  gen: string,
  fn: string,
): void {
  const ws = plan.ws.name;
  const module = `${gen}/websockets/${snake(ws)}.ts`;
  const types = plan.kind === "ws_message"
    ? [`${ws}Connection`, `${ws}Message`]
    : [`${ws}Connection`];
  w.line(`import type { ${types.join(", ")} } from "${module}";`);
  w.line(`import type { SocketState } from "${gen}/state.ts";`).line();
  const connection = () => w.line(`connection: ${ws}Connection,`).line("state: SocketState,");
  const path = tsDoc(plan.ws.path);
  switch (plan.kind) {
    case "ws_connect":
      w.line(
        `/** Called when a client connects to \`${path}\`; a returned value is sent to it. */`,
      );
      w.block(`export function ${fn}(`, connection, "): Promise<unknown> {");
      w.indent(() => {
        w.line(`state.logger.info("Connected", { connectionId: connection.connectionId });`);
        w.line("return Promise.resolve(null);");
      }).line("}");
      break;
    case "ws_message":
      w.line(`/** Called for each message on \`${path}\`; a returned value is sent back. */`);
      w.block(`export function ${fn}(`, () => {
        w.line(`message: ${ws}Message,`);
        connection();
      }, "): Promise<unknown> {");
      w.indent(() => {
        w.line(`const fields = { connectionId: connection.connectionId, at: message.timestamp };`);
        w.line(`state.logger.info("Message received", fields);`);
        w.line("return Promise.resolve(null);");
      }).line("}");
      break;
    case "ws_disconnect":
      w.line(`/** Called when a client of \`${path}\` disconnects. */`);
      w.block(`export function ${fn}(`, connection, "): Promise<void> {");
      w.indent(() => {
        w.line(`state.logger.info("Disconnected", { connectionId: connection.connectionId });`);
        w.line("return Promise.resolve();");
      }).line("}");
      break;
  }
}
