/**
 * Python output: exactly the original's layout and names (docs/compatibility.md#generated-layout)
 * with its defects fixed (pydantic v2, optional fields default to None, nested types imported,
 * import cycles broken).
 *
 * @module
 */

import type { Api, Event, Field, Schema, WebSocket } from "../parser/mod.ts";
import { hasBatchedHandler } from "./_handlers.ts";
import { pathParams, pyDoc, snake } from "./_names.ts";
import { PY_HEADER, PyModule } from "./_py_module.ts";
import { byText, type SchemaIndex } from "./_schema_index.ts";
import { PY_STATE } from "./_py_state.ts";

/** A generated file, path relative to `generated/`. */
export interface PyFile {
  path: string;
  content: string;
}

const CONFIG = "model_config = ConfigDict(from_attributes=True, populate_by_name=True)";
/** Fields renamed from Python keywords (`from_`) keep their schema name on the wire (pydantic 2.11+). */
const ALIAS_CONFIG =
  "model_config = ConfigDict(from_attributes=True, populate_by_name=True, serialize_by_alias=True)";
const PACKAGES = ["api", "cron", "dto", "events", "models", "websockets"] as const;

/** Every file under `generated/` for a Python project.
 *
 * @param schema the parsed schema
 * @param index its type index
 * @returns the files, relative to `generated/`
 */
export function pyGeneratedFiles(schema: Schema, index: SchemaIndex): PyFile[] {
  const files: PyFile[] = [
    ...schema.models.map((m) => shapeModule("models", m, index)),
    ...schema.types.map((t) => shapeModule("dto", t, index)),
    ...schema.inputs.map((i) => shapeModule("dto", i, index)),
    ...schema.apis.map((api) => apiModule(api, index)),
    ...schema.events.map((event) => eventModule(event, index)),
    ...schema.websockets.map((ws) => wsModule(ws, index)),
    { path: "state.py", content: PY_STATE },
    { path: "__init__.py", content: initModule(schema) },
  ];
  for (const pkg of PACKAGES) {
    files.push({ path: `${pkg}/__init__.py`, content: `${PY_HEADER}\n` });
  }
  return files;
}

/**
 * A model or DTO class. Types it mentions are imported at the bottom, after the class exists, and the
 * class is rebuilt then: with `from __future__ import annotations` this resolves import cycles.
 */
function shapeModule(dir: string, shape: { name: string; fields: Field[] }, index: SchemaIndex) {
  const m = new PyModule(dir, index, { declared: [shape.name], self: shape.name });
  const body = shape.fields.map((f) => m.fieldLine(f));
  m.out.lines(m.head(["BaseModel", "ConfigDict"])).line();
  m.out.block(`class ${shape.name}(BaseModel):`, () => {
    m.out.line(m.usesField ? ALIAS_CONFIG : CONFIG);
    if (body.length > 0) m.out.line().lines(body);
  }, "");
  const imports = m.importLines();
  if (imports.length > 0) {
    m.out.line().lines(
      imports.map((line) => `${line}  # noqa: E402 (after the class: import cycles)`),
    );
  }
  m.out.line().line(`${shape.name}.model_rebuild()`);
  return { path: `${dir}/${snake(shape.name)}.py`, content: m.out.toString() };
}

function apiModule(api: Api, index: SchemaIndex): PyFile {
  const [request, response, handler] = ["Request", "Response", "Handler"].map((s) => api.name + s);
  const m = new PyModule("api", index, { declared: [request!, response!, handler!] });
  m.typing.add("Any").add("Awaitable").add("Callable").add("Dict");
  m.imports.add("..state", "State");
  const body = api.body === null ? null : m.named(api.body);
  const data = m.named(api.response);
  m.out.lines(m.head(["BaseModel", "ConfigDict"])).lines(m.importLines()).line().line();
  m.out.block(`class ${request}(BaseModel):`, () => {
    m.out.line(`"""The request of API ${api.name} (${api.method} ${pyDoc(api.path)})."""`).line();
    m.out.line(CONFIG).line();
    for (const param of pathParams(api.path)) m.out.line(`${param}: str`);
    if (body !== null) m.out.line(`body: ${body}`);
    m.out.line("query_params: Dict[str, Any] = {}").line("headers: Dict[str, str] = {}");
  }, "").line();
  m.out.block(`class ${response}(BaseModel):`, () => {
    m.out.line(`"""The response of API ${api.name}: sent as JSON {"data": ...}."""`).line();
    m.out.line(CONFIG).line().line(`data: ${data}`);
  }, "").line();
  m.out.line(`${handler} = Callable[[${request}, State], Awaitable[${response}]]`);
  return { path: `api/${snake(api.name)}.py`, content: m.out.toString() };
}

function eventModule(event: Event, index: SchemaIndex): PyFile {
  const handler = `${event.name}Handler`;
  const declared = [event.name, handler, `${event.name}BatchHandler`];
  const m = new PyModule("events", index, { declared });
  m.typing.add("Awaitable").add("Callable");
  m.usesDatetime = true;
  m.imports.add("..state", "State");
  const payload = event.payload === "" ? (m.typing.add("Any"), "Any") : m.named(event.payload);
  m.out.lines(m.head(["BaseModel", "ConfigDict"])).lines(m.importLines()).line().line();
  m.out.block(`class ${event.name}(BaseModel):`, () => {
    m.out.line(`"""Event ${event.name} as its handlers receive it."""`).line();
    m.out.line(CONFIG).line().line(`payload: ${payload}`).line("timestamp: datetime");
    m.out.line('id: str = ""').line("attempt: int = 1");
  }, "").line();
  m.out.line(`${handler} = Callable[[${event.name}, State], Awaitable[None]]`);
  if (hasBatchedHandler(event)) {
    m.out.line("# A batched handler (batch: in its on block) receives the events of a batch in");
    m.out.line("# delivery order; raise to retry the whole batch.");
    m.out.line(
      `${event.name}BatchHandler = Callable[[list[${event.name}], State], Awaitable[None]]`,
    );
  }
  return { path: `events/${snake(event.name)}.py`, content: m.out.toString() };
}

function wsModule(ws: WebSocket, index: SchemaIndex): PyFile {
  const [message, connection] = [`${ws.name}Message`, `${ws.name}Connection`];
  const m = new PyModule("websockets", index, { declared: [message, connection] });
  m.usesDatetime = true;
  const data = ws.message === null ? (m.typing.add("Any"), "Any") : m.named(ws.message);
  m.out.lines(m.head(["BaseModel", "ConfigDict"])).lines(m.importLines());
  if (m.importLines().length > 0) m.out.line();
  m.out.line();
  m.out.block(`class ${message}(BaseModel):`, () => {
    m.out.line(`"""A message received on WebSocket ${ws.name} (${pyDoc(ws.path)})."""`).line();
    m.out.line(CONFIG).line().line(`data: ${data}`).line("timestamp: datetime");
  }, "").line();
  m.out.block(`class ${connection}(BaseModel):`, () => {
    m.out.line(`"""A connection to WebSocket ${ws.name}."""`).line();
    m.out.line(CONFIG).line().line("connection_id: str").line("path: str");
    m.out.line("connected_at: datetime");
  }, "");
  return { path: `websockets/${snake(ws.name)}.py`, content: m.out.toString() };
}

function initModule(schema: Schema): string {
  const lines = [
    PY_HEADER,
    "from .state import HttpError, NonRetriableError, SocketState, State, TriggeredEvent",
  ];
  const names = ["HttpError", "NonRetriableError", "SocketState", "State", "TriggeredEvent"];
  const models = [...schema.models].sort((a, b) => byText(a.name, b.name));
  for (const model of models) {
    lines.push(`from .models.${snake(model.name)} import ${model.name}`);
    names.push(model.name);
  }
  lines.push("", "__all__ = [", ...names.sort(byText).map((n) => `    ${JSON.stringify(n)},`), "]");
  return lines.join("\n") + "\n";
}
