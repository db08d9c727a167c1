/**
 * The Python client of a schema: one standalone module with pydantic models of the schema's types,
 * a sync (`RohasClient`) and an async (`AsyncRohasClient`) client on httpx with one typed method
 * per API, and a typed WebSocket per endpoint.
 *
 * @module
 */

import type { Api, Field, Schema, WebSocket } from "../parser/mod.ts";
import { pathParams, PY_HEADER, pyDoc, PyModule, SchemaIndex, snake } from "../codegen/mod.ts";
import { byName } from "./_components.ts";
import { CLIENT_PY_IMPORTS, CLIENT_PY_RUNTIME } from "./_client_py_runtime.ts";
import { queryBody, routeParts } from "./_route.ts";

/** Every name the client's fixed code imports or declares, and the two client classes. */
const PY_RESERVED: ReadonlySet<string> = new Set([
  ...`${CLIENT_PY_IMPORTS}\n${CLIENT_PY_RUNTIME}`.match(/\b[A-Za-z_][A-Za-z0-9_]*\b/g)!,
  "RohasClient",
  "AsyncRohasClient",
]);

const CONFIG = "model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)";

const KEYWORDS = new Set(
  ("False None True and as assert async await break class continue def del elif else except " +
    "finally for from global if import in is lambda nonlocal not or pass raise return try while " +
    "with yield").split(" "),
);

/** Builds the Python client of a schema.
 *
 * @param schema the parsed, valid schema
 * @param options the project's name (in the module's docstring)
 * @returns the text of `client.py`
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { emptySchema } from "../parser/mod.ts";
 * const text = pyClient(emptySchema(), { title: "shop" });
 * assert(text.includes("class AsyncRohasClient"));
 * ```
 */
export function pyClient(schema: Schema, options: { title: string }): string {
  // A schema type named like one of the client's own names (`Socket`, `Field`...) is declared
  // under an alias (`SocketType`), so the client's code keeps its meaning.
  const m = new PyModule("", new SchemaIndex(schema), { declared: [...PY_RESERVED] });
  const header = PY_HEADER.replace("`rohas codegen`", "`rohas codegen --client python`");
  m.out.line(header);
  m.out.line(`"""A typed client of the ${pyDoc(options.title)} APIs and WebSockets."""`).line();
  m.out.lines(CLIENT_PY_IMPORTS.split("\n")).line().line();
  const shapes = byName([...schema.models, ...schema.types, ...schema.inputs]);
  for (const shape of shapes) m.named(shape.name);
  for (const shape of shapes) writeShape(m, shape);
  for (const shape of shapes) m.out.line(`${m.named(shape.name)}.model_rebuild()`);
  m.out.line().line();
  m.out.lines(CLIENT_PY_RUNTIME.split("\n")).line().line();
  for (const flavor of ["sync", "async"] as const) {
    const [name, base] = flavor === "sync"
      ? ["RohasClient", "_SyncBase"]
      : ["AsyncRohasClient", "_AsyncBase"];
    m.out.block(`class ${name}(${base}):`, () => {
      m.out.line(`"""The ${flavor} client: one method per API, one connect_... per WebSocket."""`);
      m.out.line();
      for (const api of byName(schema.apis)) writeApi(m, api, { flavor });
      for (const ws of byName(schema.websockets)) writeSocket(m, ws, { flavor });
    }, "");
    if (flavor === "sync") m.out.line();
  }
  return m.out.toString();
}

function writeShape(m: PyModule, shape: { name: string; fields: Field[] }): void {
  const body = shape.fields.map((f) => m.fieldLine(f));
  m.out.block(`class ${m.named(shape.name)}(BaseModel):`, () => {
    m.out.line(CONFIG);
    if (body.length > 0) m.out.line().lines(body);
  }, "").line();
}

/** Which client a method is written for. */
type Flavor = "sync" | "async";

/** A path parameter as a Python argument name (keywords get a `_`). */
function argName(name: string): string {
  return KEYWORDS.has(name) ? `${name}_` : name;
}

function writeApi(m: PyModule, api: Api, { flavor }: { flavor: Flavor }): void {
  const args = ["self", ...pathParams(api.path).map((p) => `${argName(p)}: str`)];
  let body = "None";
  if (api.body !== null) {
    args.push(`${queryBody(api) ? "query" : "body"}: ${m.named(api.body)}`);
    if (!queryBody(api)) body = "body";
  }
  args.push(
    "*",
    "headers: Optional[Dict[str, str]] = None",
    "query_params: Optional[Query] = None",
  );
  const response = m.named(api.response);
  const [def, wait] = flavor === "sync" ? ["def", ""] : ["async def", "await "];
  const queryArg = queryBody(api) ? "query" : "None";
  m.out.block(`${def} ${snake(api.name)}(${args.join(", ")}) -> ${response}:`, () => {
    m.out.line(`"""${api.method} ${pyDoc(api.path)}: API ${api.name}."""`);
    m.out.line(`options = {"headers": headers, "query": _query(${queryArg}, query_params)}`);
    const call = `${wait}self._call("${api.method}", ${
      pyPath(api.path)
    }, ${response}, ${body}, options)`;
    m.out.line(response === "Any" ? `return ${call}` : `return cast(${response}, ${call})`);
  }, "");
}

/** The route as a Python f-string with each parameter percent-encoded. */
function pyPath(path: string): string {
  const parts = routeParts(path).map((part) =>
    part.kind === "text"
      ? part.text.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("{", "{{")
        .replaceAll("}", "}}")
      : `{_segment(${argName(part.name)})}`
  );
  const text = parts.join("");
  return routeParts(path).some((p) => p.kind === "param")
    ? `f"${text}"`
    : `"${text.replaceAll("{{", "{").replaceAll("}}", "}")}"`;
}

function writeSocket(m: PyModule, ws: WebSocket, { flavor }: { flavor: Flavor }): void {
  const message = ws.message === null ? "Any" : m.named(ws.message);
  const name = `connect_${snake(ws.name)}`;
  const query = "query: Optional[Dict[str, str]] = None";
  if (flavor === "sync") {
    m.out.block(`def ${name}(self, ${query}) -> Socket[${message}]:`, () => {
      m.out.line(`"""Opens WebSocket ${ws.name} (${pyDoc(ws.path)})."""`);
      m.out.line(`return Socket(self._socket(${JSON.stringify(ws.path)}, query))`);
    }, "");
  } else {
    m.out.block(`async def ${name}(self, ${query}) -> AsyncSocket[${message}]:`, () => {
      m.out.line(`"""Opens WebSocket ${ws.name} (${pyDoc(ws.path)})."""`);
      m.out.line(`return AsyncSocket(await self._socket(${JSON.stringify(ws.path)}, query))`);
    }, "");
  }
}
