// The order of a request's checks (ARCHITECTURE.md, "Request flow"): the body is parsed (400),
// then the middlewares run (401), then what they pass on is validated (422); and
// `[server] unknown_fields` accepts extra keys (the default) or rejects each with a 422.
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { createApp } from "./create_app.ts";
import { loadConfig } from "../project/mod.ts";

const SCHEMA = `
input Tag {
  name: String
}

input NoteInput {
  title: String
  tags: Tag[]?
}

api CreateNote {
  method: POST
  path: "/notes"
  body: NoteInput
  response: Json
  middlewares: [auth]
}
`;

class Unauthorized extends Error {
  override name = "HttpError";
  status = 401;
}

async function openApp(unknownFields: "accept" | "reject") {
  const root = await Deno.makeTempDir({ prefix: "rohas-validation-" });
  await Deno.mkdir(`${root}/schema`);
  await Deno.writeTextFile(`${root}/schema/api.ro`, SCHEMA);
  const { config } = await loadConfig(root, { env: {} });
  config.server.unknown_fields = unknownFields;
  const manifest = {
    root: pathToFileURL(`${root}/`).href,
    modules: {
      "src/handlers/api/create_note.ts": {
        handleCreateNote: (req: { body: unknown }) => ({ data: req.body }),
      },
      "src/middlewares/auth.ts": {
        authMiddleware: (ctx: { headers: Record<string, string> }) => {
          if (ctx.headers["authorization"] !== "Bearer ok") throw new Unauthorized("No token");
          return null;
        },
      },
    },
  };
  const app = await createApp({ manifest, root, config, mode: "dev", cron: false });
  return Object.assign(app, {
    async [Symbol.asyncDispose]() {
      await app.close();
      await Deno.remove(root, { recursive: true });
    },
  });
}

function post(body: string, token: boolean): Request {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = "Bearer ok";
  return new Request("http://app.test/notes", { method: "POST", headers, body });
}

async function answer(res: Response): Promise<{ status: number; body: Record<string, unknown> }> {
  return { status: res.status, body: await res.json() };
}

Deno.test("a request is parsed, then passed through its middlewares, then validated", async () => {
  await using app = await openApp("accept");
  // Malformed JSON is refused before any middleware runs, token or not.
  assert.equal((await answer(await app.handler(post("{", false)))).status, 400);
  // A well-formed body without a token: the middleware refuses it before validation would.
  assert.equal((await answer(await app.handler(post("{}", false)))).status, 401);
  // With the token, the same body reaches validation.
  const invalid = await answer(await app.handler(post("{}", true)));
  assert.equal(invalid.status, 422);
  assert.deepEqual(invalid.body.details, [{ path: "title", message: "Required field is missing" }]);
});

Deno.test("unknown fields are accepted by default and handed to the handler as sent", async () => {
  await using app = await openApp("accept");
  const body = { title: "a", colour: "red", tags: [{ name: "x", weight: 2 }] };
  const ok = await answer(await app.handler(post(JSON.stringify(body), true)));
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.body.data, body);
});

Deno.test("unknown_fields = reject answers 422 naming each unknown field, nested ones too", async () => {
  await using app = await openApp("reject");
  const body = { title: "a", colour: "red", tags: [{ name: "x", weight: 2 }] };
  const refused = await answer(await app.handler(post(JSON.stringify(body), true)));
  assert.equal(refused.status, 422);
  assert.deepEqual(refused.body.details, [
    { path: "colour", message: 'Unknown field "colour"' },
    { path: "tags[0].weight", message: 'Unknown field "weight"' },
  ]);
  const ok = await app.handler(post(JSON.stringify({ title: "a", tags: [{ name: "x" }] }), true));
  assert.equal(ok.status, 200);
  await ok.body?.cancel();
});
