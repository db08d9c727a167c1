// The TypeScript client: the example ships what `rohas codegen --client ts` writes, and the
// compiler rejects code that misuses its types.
import assert from "node:assert/strict";
import { run } from "../codegen/_helpers.ts";
import { REPO, rohas, tempDir } from "../../testing/mod.ts";

const EXAMPLE = `${REPO}/examples/hello-ts`;

Deno.test("the example's shipped client is what rohas codegen --client ts writes", async () => {
  await using dir = await tempDir();
  const result = await rohas(["codegen", "--client", "ts", "--out", dir.path], { cwd: EXAMPLE });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    await Deno.readTextFile(`${dir.path}/client.ts`),
    await Deno.readTextFile(`${EXAMPLE}/client/client.ts`),
    "examples/hello-ts/client/client.ts is stale: run `rohas codegen --client ts` in the example",
  );
});

const CORRECT = `import { RohasClient } from "${EXAMPLE}/client/client.ts";
const client = new RohasClient({ baseUrl: "http://127.0.0.1:1" });
export const calls = [
  client.createUser({ body: { name: "Ann", email: "a@b.c", tags: ["x"] } }),
  client.getUser({ params: { id: "1" } }),
  client.searchUsers({ query: { q: "ann", limit: 2 } }),
];
export const name: Promise<string> = client.createUser({ body: { name: "A", email: "e" } })
  .then((user) => user.name);
client.connectChat().send({ text: "hi" });
`;

const MISUSES: Record<string, string> = {
  "a body field of the wrong type": `client.createUser({ body: { name: 1, email: "e" } });`,
  "a missing required body field": `client.createUser({ body: { name: "Ann" } });`,
  "a missing path parameter": `client.getUser({ params: {} });`,
  "a query field of the wrong type": `client.searchUsers({ query: { q: "a", limit: "2" } });`,
  "a response read as the wrong type":
    `const n: Promise<number> = client.hello().then((g) => g.message);`,
  "a WebSocket message of the wrong type": `client.connectChat().send({ body: "hi" });`,
};

Deno.test("deno check accepts correct client code", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/use.ts`, CORRECT);
  const result = await run(Deno.execPath(), ["check", "use.ts"], { cwd: dir.path });
  assert.equal(result.code, 0, result.stderr);
});

for (const [what, line] of Object.entries(MISUSES)) {
  Deno.test(`deno check rejects client code with ${what}`, async () => {
    await using dir = await tempDir();
    await Deno.writeTextFile(`${dir.path}/misuse.ts`, `${CORRECT}${line}\n`);
    const result = await run(Deno.execPath(), ["check", "misuse.ts"], {
      cwd: dir.path,
      env: { NO_COLOR: "1" },
    });
    assert.notEqual(result.code, 0);
    // The error is on the added line, the last one of the file.
    assert.match(result.stderr, new RegExp(`misuse\\.ts:${CORRECT.split("\n").length}:`));
  });
}
