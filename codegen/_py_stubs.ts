/**
 * Python handler and middleware stubs with the original's names
 * (docs/compatibility.md#generated-layout) and the signatures the runtime calls
 * (docs/design.md#d5-python-handler-contracts): every stub takes `state`.
 *
 * @module
 */

import { type HandlerPlan, isBatched } from "./_handlers.ts";
import { pyDoc, snake } from "./_names.ts";
import { CodeWriter } from "./_writer.ts";

/** The function name codegen writes for a Python handler, the one the runtime prefers.
 *
 * @param plan the handler file
 * @returns the function name
 */
export function pyFunctionName(plan: HandlerPlan): string {
  switch (plan.kind) {
    case "api":
      return `handle_${snake(plan.api.name)}`;
    case "cron":
      return `handle_${snake(plan.cron.name)}`;
    case "event":
    case "ws_connect":
    case "ws_message":
    case "ws_disconnect":
      return `handle_${plan.entry}`;
    case "middleware":
      return `${snake(plan.name)}_middleware`;
  }
}

/** The source of a Python stub.
 *
 * @param plan the handler file
 * @returns the module source
 */
export function pyStub(plan: HandlerPlan): string {
  const w = new CodeWriter("    ");
  const fn = pyFunctionName(plan);
  switch (plan.kind) {
    case "api":
      apiStub(w, plan, fn);
      break;
    case "event":
      eventStub(w, plan, fn);
      break;
    case "cron":
      cronStub(w, plan, fn);
      break;
    case "ws_connect":
    case "ws_message":
    case "ws_disconnect":
      wsStub(w, plan, fn);
      break;
    case "middleware":
      middlewareStub(w, plan, fn);
      break;
  }
  return w.toString();
}

type Plan<K extends HandlerPlan["kind"]> = HandlerPlan & { kind: K };

function apiStub(w: CodeWriter, plan: Plan<"api">, fn: string): void {
  const { name, method } = plan.api;
  w.line(`from generated.api.${snake(name)} import ${name}Request, ${name}Response`);
  w.line("from generated.state import HttpError, State").line().line();
  w.block(`async def ${fn}(req: ${name}Request, state: State) -> ${name}Response:`, () => {
    w.line(`"""Handles API ${name} (${method} ${pyDoc(plan.api.path)}).`).line();
    w.line("Return the response, or raise HttpError(status, message). state.set_payload(event,");
    w.line("payload) sets the payload of the events in triggers:; state.trigger_event(event,");
    w.line("payload) publishes any other event.").line('"""');
    w.line(`raise HttpError(501, "Not implemented: ${name}")`);
  }, "");
}

function eventStub(w: CodeWriter, plan: Plan<"event">, fn: string): void {
  const types = new Map<string, string>();
  for (const e of plan.events) {
    types.set(e.name, isBatched(e, plan.entry) ? `list[${e.name}]` : e.name);
  }
  const names = [...types.keys()];
  const batched = [...types.values()].some((t) => t.startsWith("list["));
  if (names.length > 1) w.line("from typing import Union").line();
  for (const event of names) w.line(`from generated.events.${snake(event)} import ${event}`);
  w.line("from generated.state import State").line().line();
  const params = [...types.values()];
  const type = params.length > 1 ? `Union[${params.join(", ")}]` : params[0]!;
  w.block(`async def ${fn}(event: ${type}, state: State) -> None:`, () => {
    if (batched) {
      w.line(`"""Handles event ${names.join(", ")}; a batched event arrives as a list. Raise to`);
      w.line('retry."""');
      w.line('state.logger.info("Received events", batch=isinstance(event, list))');
    } else {
      w.line(`"""Handles event ${names.join(", ")}. Raise to retry it."""`);
      w.line('state.logger.info("Received event", id=event.id, attempt=event.attempt)');
    }
  }, "");
}

function cronStub(w: CodeWriter, plan: Plan<"cron">, fn: string): void {
  w.line("from generated.state import State").line().line();
  w.block(`async def ${fn}(state: State) -> None:`, () => {
    w.line(`"""Runs cron job ${plan.cron.name} (${pyDoc(plan.cron.schedule)})."""`);
    w.line(`state.logger.info("Cron job ran", job=${JSON.stringify(plan.cron.name)})`);
  }, "");
}

function middlewareStub(w: CodeWriter, plan: Plan<"middleware">, fn: string): void {
  w.line("from typing import Any, Dict, Optional").line();
  w.line("from generated.state import State").line().line();
  const signature = `${fn}(context: Dict[str, Any], state: State) -> Optional[Dict[str, Any]]`;
  w.block(`async def ${signature}:`, () => {
    w.line(`"""Middleware ${plan.name}: runs before the handler.`).line();
    w.line('Return None to pass, a dict with "payload" or "query_params" to replace them,');
    w.line("or raise HttpError(status, message) to reject the request with that status.");
    w.line('"""').line('state.logger.debug("Middleware passed", trace_id=context.get("trace_id"))');
    w.line("return None");
  }, "");
}

function wsStub(
  w: CodeWriter,
  plan: Plan<"ws_connect" | "ws_message" | "ws_disconnect">,
  fn: string,
): void {
  const ws = plan.ws.name;
  const module = `generated.websockets.${snake(ws)}`;
  if (plan.kind !== "ws_disconnect") w.line("from typing import Any, Optional").line();
  const types = plan.kind === "ws_message"
    ? [`${ws}Connection`, `${ws}Message`]
    : [`${ws}Connection`];
  w.line(`from ${module} import ${types.join(", ")}`);
  w.line("from generated.state import SocketState").line().line();
  switch (plan.kind) {
    case "ws_connect":
      w.block(
        `async def ${fn}(connection: ${ws}Connection, state: SocketState) -> Optional[Any]:`,
        () => {
          w.line(
            `"""Called when a client connects to ${
              pyDoc(plan.ws.path)
            }; a returned value is sent to it."""`,
          );
          w.line('state.logger.info("Connected", connection_id=connection.connection_id)');
          w.line("return None");
        },
        "",
      );
      break;
    case "ws_message":
      w.block(`async def ${fn}(`, () => {
        w.line(`message: ${ws}Message, connection: ${ws}Connection, state: SocketState`);
      }, ") -> Optional[Any]:");
      w.indent(() => {
        w.line(
          `"""Called for each message on ${pyDoc(plan.ws.path)}; a returned value is sent back."""`,
        );
        w.line('state.logger.info("Message received", connection_id=connection.connection_id)');
        w.line("return None");
      });
      break;
    case "ws_disconnect":
      w.block(`async def ${fn}(connection: ${ws}Connection, state: SocketState) -> None:`, () => {
        w.line(`"""Called when a client of ${pyDoc(plan.ws.path)} disconnects."""`);
        w.line('state.logger.info("Disconnected", connection_id=connection.connection_id)');
      }, "");
      break;
  }
}
