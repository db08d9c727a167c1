// The OpenAPI and AsyncAPI documents of the bundled example, validated by each format's established
// validator (@seriousme/openapi-schema-validator, @asyncapi/parser), and served by the engine under
// the workbench's access rules.
import assert from "node:assert/strict";
import { Validator } from "npm:@seriousme/openapi-schema-validator@^2.11.0";
import { Parser } from "npm:@asyncapi/parser@^3.6.3";
import { parseDirectory } from "../../parser/mod.ts";
import { loadConfig } from "../../project/mod.ts";
import { asyncApiDocument, projectAsyncApi, projectOpenApi } from "../../contract/mod.ts";
import { fixtureSchema } from "../codegen/_helpers.ts";
import { ROOT, startWorkbenchApp } from "../workbench/_app.ts";

const REMOTE = { remoteAddr: { transport: "tcp" as const, hostname: "10.1.2.3", port: 5555 } };

async function example() {
  const { config } = await loadConfig(ROOT, { env: {} });
  return { schema: (await parseDirectory(`${ROOT}/schema`)).schema, config };
}

async function openApiErrors(document: unknown): Promise<unknown> {
  // A copy: the validator resolves `$ref`s in place.
  const spec = structuredClone(document) as Parameters<Validator["validate"]>[0];
  const result = await new Validator().validate(spec);
  return result.valid ? null : result.errors;
}

async function asyncApiErrors(document: unknown): Promise<string[]> {
  const { diagnostics } = await new Parser().parse(JSON.stringify(document));
  // Severity 0 is an error, 1 a warning; hints and infos (such as "3.1.0 exists") are not kept.
  return diagnostics.filter((d) => d.severity <= 1).map((d) =>
    `${d.code} at ${d.path.join(".")}: ${d.message}`
  );
}

Deno.test("the example's OpenAPI document is valid OpenAPI 3.1 and lists every API", async () => {
  const { schema, config } = await example();
  const document = projectOpenApi(schema, config) as {
    paths: Record<string, Record<string, { operationId: string; responses: object }>>;
  };
  assert.equal(await openApiErrors(document), null);
  const operations = Object.values(document.paths).flatMap((item) => Object.values(item));
  assert.deepEqual(
    operations.map((o) => o.operationId).sort(),
    schema.apis.map((a) => a.name).sort(),
  );
  const getFile = document.paths["/files/{name}"]!.get!;
  assert.deepEqual(Object.keys(getFile.responses), ["200", "400", "500", "504", "default"]);
  const create = document.paths["/users"]!.post!;
  assert.deepEqual(Object.keys(create.responses), [
    "200",
    "400",
    "413",
    "422",
    "500",
    "503",
    "504",
    "default",
  ]);
});

Deno.test("the rich fixture's OpenAPI document is valid, with query and path parameters", async () => {
  const schema = await fixtureSchema();
  const document = projectOpenApi(schema, {
    project: { name: "rich", version: "1.0.0" },
    adapter: { type: "memory", settings: {} },
  });
  assert.equal(await openApiErrors(document), null);
});

Deno.test("a broken OpenAPI document is rejected by the validator the tests rely on", async () => {
  const { schema, config } = await example();
  const document = projectOpenApi(schema, config) as { paths: Record<string, unknown> };
  document.paths["/hello"] = { get: { responses: "none" } };
  assert.match(JSON.stringify(await openApiErrors(document)), /responses/);
});

for (const adapter of ["memory", "nats", "rabbitmq", "kafka", "sqs"]) {
  Deno.test(`the example's AsyncAPI document is valid AsyncAPI 3.0 on ${adapter}`, async () => {
    const { schema, config } = await example();
    config.adapter.type = adapter;
    const document = projectAsyncApi(schema, config);
    assert.deepEqual(await asyncApiErrors(document), []);
  });
}

Deno.test("a broken AsyncAPI document is rejected by the validator the tests rely on", async () => {
  const { schema, config } = await example();
  const document = projectAsyncApi(schema, config) as { channels: Record<string, unknown> };
  document.channels.UserCreated = { address: 42 };
  assert.notDeepEqual(await asyncApiErrors(document), []);
});

Deno.test("AsyncAPI channels are named as each adapter names them", async () => {
  const { schema } = await example();
  const document = asyncApiDocument(schema, { title: "shop", version: "1", adapter: "nats" }) as {
    channels: Record<string, { address: string | null; "x-rohas-adapters": unknown }>;
    operations: Record<string, { action: string }>;
  };
  const channel = document.channels.UserCreated!;
  assert.equal(channel.address, "rohas.shop.UserCreated.all");
  assert.deepEqual((channel["x-rohas-adapters"] as Record<string, unknown>).kafka, {
    publish: "rohas.shop.UserCreated",
    consumers: {
      "shop.send_welcome_email": "rohas.shop.shop_2E_send_5F_welcome_5F_email.UserCreated",
      "shop.audit_user": "rohas.shop.shop_2E_audit_5F_user.UserCreated",
    },
  });
  assert.deepEqual(
    Object.entries(document.operations).filter(([k]) => k.startsWith("UserCreated."))
      .map(([k, v]) => `${k} ${v.action}`),
    [
      "UserCreated.received_by.audit_user receive",
      "UserCreated.received_by.send_welcome_email receive",
      "UserCreated.sent_by.api.CreateUser send",
    ],
  );
  assert.equal(document.channels["ws.Chat"]!.address, "/ws/chat");
});

Deno.test("the engine serves both documents under the workbench's access rules", async () => {
  await using app = await startWorkbenchApp({ apiKey: "k", mode: "production" });
  for (const path of ["/_rohas/openapi.json", "/_rohas/asyncapi.json"]) {
    const denied = await fetch(`${app.url}${path}`);
    assert.equal(denied.status, 401, path);
    await denied.body?.cancel();
    // A remote client reaching the server by its address (a name needs [workbench] allowed_hosts).
    const remote = await app.engine.handler(new Request(`http://192.0.2.10:3000${path}`), REMOTE);
    assert.equal(remote.status, 401, path);
    await remote.body?.cancel();
    const rebound = await app.engine.handler(new Request(`http://evil.test${path}`), REMOTE);
    assert.equal(rebound.status, 403, path);
    await rebound.body?.cancel();
    const ok = await fetch(`${app.url}${path}`, { headers: { "x-api-key": "k" } });
    assert.equal(ok.status, 200, path);
    const served = await ok.json();
    const { schema, config } = await example();
    const expected = path.includes("openapi")
      ? projectOpenApi(schema, app.config)
      : projectAsyncApi(schema, app.config);
    assert.deepEqual(served, JSON.parse(JSON.stringify(expected)), path);
    assert.equal(config.project.name, "hello-ts");
  }
});
