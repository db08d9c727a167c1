/**
 * TypeScript handler and middleware stubs (contracts.md): snake_case files exporting the first
 * export name the engine tries, typed with `import type` from the generated modules.
 *
 * @module
 */

import { camel, pascal, snake, tsDoc } from "./_names.ts";
import type { HandlerPlan } from "./_handlers.ts";
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
  const up = plan.dir.split("/").map(() => "..").join("/");
  const gen = `${up}/generated`;
  const fn = tsExportName(plan);
  switch (plan.kind) {
    case "api": {
      const { name, method } = plan.api;
      const path = tsDoc(plan.api.path);
      const module = `${gen}/api/${snake(name)}.ts`;
      w.line(`import type { ${name}Request, ${name}Response } from "${module}";`);
      w.line(`import { HttpError, type State } from "${gen}/state.ts";`).line();
      w.line("/**").line(` * Handles API \`${name}\` (\`${method} ${path}\`).`).line(" *");
      w.line(" * Return `{ data }`, a web `Response`, or throw `HttpError(status, message)`.");
      w.line(
        " * `state.setPayload(event, payload)` sets the payload of the events in `triggers:`;",
      );
      w.line(" * `state.triggerEvent(event, payload)` publishes any other event.").line(" */");
      w.block(`export function ${fn}(`, () => {
        w.line(`req: ${name}Request,`).line("state: State,");
      }, `): Promise<${name}Response> {`);
      w.indent(() => {
        w.line(`state.logger.warn("Not implemented yet", { queryParams: req.queryParams });`);
        w.line(`throw new HttpError(501, "Not implemented: ${name}");`);
      }).line("}");
      return w.toString();
    }
    case "event": {
      const types = plan.events.map((e) => e.name);
      const imports = plan.events.map((e) =>
        `import type { ${e.name} } from "${gen}/events/${snake(e.name)}.ts";`
      );
      w.lines([...new Set(imports)]).line(`import type { State } from "${gen}/state.ts";`).line();
      w.line(`/** Handles event ${types.map((t) => `\`${t}\``).join(", ")}. Throw to retry it. */`);
      w.block(
        `export function ${fn}(event: ${
          [...new Set(types)].join(" | ")
        }, state: State): Promise<void> {`,
        () => {
          w.line(`state.logger.info("Received event", { id: event.id, attempt: event.attempt });`);
          w.line("return Promise.resolve();");
        },
        "}",
      );
      return w.toString();
    }
    case "cron":
      w.line(`import type { State } from "${gen}/state.ts";`).line();
      w.line(`/** Runs cron job \`${plan.cron.name}\` (\`${tsDoc(plan.cron.schedule)}\`). */`);
      w.block(`export function ${fn}(state: State): Promise<void> {`, () => {
        w.line(`state.logger.info("Cron job ran", { job: ${JSON.stringify(plan.cron.name)} });`);
        w.line("return Promise.resolve();");
      }, "}");
      return w.toString();
    case "ws_connect":
    case "ws_message":
    case "ws_disconnect":
      return wsStub(w, plan, gen, fn);
    case "middleware":
      w.line(`import type { MiddlewareContext, MiddlewareResult, State } from "${gen}/state.ts";`);
      w.line().line("/**").line(` * Middleware \`${plan.name}\`: runs before the handler.`).line(
        " *",
      );
      w.line(" * Return null to pass, `{ payload, queryParams }` to replace them, or throw");
      w.line(" * `HttpError(status, message)` to reject the request with that status.").line(" */");
      w.block(`export function ${fn}(`, () => {
        w.line("context: MiddlewareContext,").line("state: State,");
      }, "): Promise<MiddlewareResult> {");
      w.indent(() => {
        w.line(`state.logger.debug("Middleware passed", { traceId: context.traceId });`);
        w.line("return Promise.resolve(null);");
      }).line("}");
      return w.toString();
  }
}

function wsStub(
  w: CodeWriter,
  plan: HandlerPlan & { kind: "ws_connect" | "ws_message" | "ws_disconnect" },
  gen: string,
  fn: string,
): string {
  const ws = plan.ws.name;
  const module = `${gen}/websockets/${snake(ws)}.ts`;
  const types = plan.kind === "ws_message"
    ? [`${ws}Connection`, `${ws}Message`]
    : [`${ws}Connection`];
  w.line(`import type { ${types.join(", ")} } from "${module}";`);
  w.line(`import type { State } from "${gen}/state.ts";`).line();
  switch (plan.kind) {
    case "ws_connect":
      w.line(
        `/** Called when a client connects to \`${
          tsDoc(plan.ws.path)
        }\`; a returned value is sent to it. */`,
      );
      w.block(
        `export function ${fn}(connection: ${ws}Connection, state: State): Promise<unknown> {`,
        () => {
          w.line(`state.logger.info("Connected", { connectionId: connection.connectionId });`);
          w.line("return Promise.resolve(null);");
        },
        "}",
      );
      break;
    case "ws_message":
      w.line(
        `/** Called for each message on \`${
          tsDoc(plan.ws.path)
        }\`; a returned value is sent back. */`,
      );
      w.block(`export function ${fn}(`, () => {
        w.line(`message: ${ws}Message,`).line(`connection: ${ws}Connection,`).line("state: State,");
      }, "): Promise<unknown> {");
      w.indent(() => {
        w.line(
          `state.logger.info("Message received", { connectionId: connection.connectionId, at: message.timestamp });`,
        );
        w.line("return Promise.resolve(null);");
      }).line("}");
      break;
    case "ws_disconnect":
      w.line(`/** Called when a client of \`${tsDoc(plan.ws.path)}\` disconnects. */`);
      w.block(
        `export function ${fn}(connection: ${ws}Connection, state: State): Promise<void> {`,
        () => {
          w.line(`state.logger.info("Disconnected", { connectionId: connection.connectionId });`);
          w.line("return Promise.resolve();");
        },
        "}",
      );
      break;
  }
  return w.toString();
}
