// Schema types named like the clients' own names (Headers, HttpError, Response, Query, Socket,
// Field...) are declared under an alias, so both clients still compile and type-check.
import assert from "node:assert/strict";
import { parseSchema } from "../../parser/mod.ts";
import { pyClient, tsClient } from "../../contract/mod.ts";
import { requirePythonModule, run } from "../codegen/_helpers.ts";
import { tempDir } from "../../testing/mod.ts";

const SCHEMA = `
type Headers { name: String }
type HttpError { code: Int }
type Response { ok: Boolean  headers: Headers? }
input Query { q: String }
type Socket { id: String }
input Field { label: String }
input ChatMessage { text: String }

api GetHeaders { method: GET  path: "/h/{id}"  response: Headers }
api PostError { method: POST  path: "/e"  body: HttpError  response: Response }
api Search { method: GET  path: "/q"  body: Query  response: Socket }
api Label { method: PUT  path: "/l"  body: Field  response: Json }
ws Chat { path: "/ws"  message: ChatMessage  onMessage: [chat] }
`;

const { schema } = parseSchema(SCHEMA, { file: "names.ro" });

Deno.test("a TypeScript client for types named like its own names type-checks", async () => {
  await using dir = await tempDir();
  const text = tsClient(schema, { title: "names" });
  assert.match(text, /export interface HeadersType \{/);
  assert.match(
    text,
    /getHeaders\(input: GetHeadersRequest, options: CallOptions = \{\}\): Promise<HeadersType>/,
  );
  await Deno.writeTextFile(`${dir.path}/client.ts`, text);
  await Deno.writeTextFile(
    `${dir.path}/use.ts`,
    `import { RohasClient } from "./client.ts";
const client = new RohasClient({ baseUrl: "http://127.0.0.1:1" });
export const name: Promise<string> = client.getHeaders({ params: { id: "1" } }).then((h) => h.name);
export const ok: Promise<boolean> = client.postError({ body: { code: 1 } }).then((r) => r.ok);
`,
  );
  const result = await run(Deno.execPath(), ["check", "use.ts"], { cwd: dir.path });
  assert.equal(result.code, 0, result.stderr);
});

Deno.test("a Python client for types named like its own names passes mypy --strict", async () => {
  await requirePythonModule("mypy");
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/client.py`, pyClient(schema, { title: "names" }));
  await Deno.writeTextFile(
    `${dir.path}/use.py`,
    `from client import FieldType, QueryType, RohasClient

client = RohasClient("http://127.0.0.1:1")
name: str = client.get_headers("1").name
found: str = client.search(QueryType(q="a")).id
client.label(FieldType(label="x"))
`,
  );
  const result = await run("python3", ["-m", "mypy", "--strict", "--no-incremental", "use.py"], {
    cwd: dir.path,
  });
  assert.equal(result.code, 0, result.stdout);
});
