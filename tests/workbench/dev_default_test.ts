// `rohas dev` serves the workbench unless told not to, as a development dashboard; `rohas start`
// serves it only when asked (and then only with a key: start_key_test.ts).
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { startServer } from "../engine/_server.ts";

async function status(url: string): Promise<number> {
  const response = await fetch(url);
  await response.body?.cancel();
  return response.status;
}

Deno.test("rohas dev serves the workbench by default and prints where", async () => {
  await using server = await startServer();
  await server.waitFor(/Workbench: http:\/\/\S+\/_rohas\//);
  assertEquals(await status(`${server.url}/_rohas/`), 200);
  assertEquals(await status(`${server.url}/api/workbench/endpoints`), 200);
});

Deno.test("rohas dev --no-workbench serves neither the app nor its API", async () => {
  await using server = await startServer({ args: ["--no-workbench"] });
  assertEquals(await status(`${server.url}/_rohas/`), 404);
  assertEquals(await status(`${server.url}/api/workbench/endpoints`), 404);
  assert(!server.output().includes("Workbench:"), server.output());
});

Deno.test("rohas start keeps the workbench off unless --workbench is given", async () => {
  await using server = await startServer({ command: "start" });
  assertEquals(await status(`${server.url}/api/workbench/endpoints`), 404);
  assert(!server.output().includes("Workbench:"), server.output());
});

Deno.test("the workbench's schema graph gives each handler node its file", async () => {
  await using server = await startServer();
  const response = await fetch(`${server.url}/api/workbench/schema-graph`);
  const graph = await response.json() as { nodes: { id: string; path: string }[] };
  const path = (id: string) => graph.nodes.find((n) => n.id === id)?.path;
  assertEquals(path("handler:CreateUser"), "src/handlers/api/create_user.ts");
  assertEquals(path("middleware:auth"), "src/middlewares/auth.ts");
});
