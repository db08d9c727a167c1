// The TypeScript client needs only `fetch` and `WebSocket`: compiled to plain JavaScript, it calls
// the running example from Node.js and from a page in headless Chromium.
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { run } from "../codegen/_helpers.ts";
import { REPO, tempDir } from "../../testing/mod.ts";
import { startServer } from "../engine/_server.ts";

/** The example's client compiled to one JavaScript module, the way a web app would ship it. */
async function clientJs(dir: string): Promise<string> {
  const out = `${dir}/client.js`;
  const result = await run(Deno.execPath(), [
    "bundle",
    "--platform",
    "browser",
    "--output",
    out,
    `${REPO}/examples/hello-ts/client/client.ts`,
  ], { cwd: dir });
  assert.equal(result.code, 0, result.stderr);
  return out;
}

/** Calls made in each runtime: a typed call, a body, and an error with its status. */
const CALLS = `
const client = new RohasClient({ baseUrl: BASE });
const hello = await client.hello();
const user = await client.createUser({ body: { name: "Ann", email: "ann@example.com" } });
let status = 0;
try {
  await client.protected();
} catch (error) {
  status = error instanceof HttpError ? error.status : -1;
}
`;

Deno.test("the compiled TypeScript client runs in Node.js with its own fetch", async () => {
  await using dir = await tempDir();
  const js = await clientJs(dir.path);
  await using server = await startServer();
  const script = `import { HttpError, RohasClient } from ${JSON.stringify(js)};
const BASE = ${JSON.stringify(server.url)};
${CALLS}
console.log(JSON.stringify({ hello, name: user.name, status }));`;
  await Deno.writeTextFile(`${dir.path}/use.mjs`, script);
  const result = await run("node", ["use.mjs"], { cwd: dir.path });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), {
    hello: { message: "Hello from Rohas" },
    name: "Ann",
    status: 401,
  });
});

Deno.test({
  name: "the compiled TypeScript client runs in a browser page, HTTP and WebSocket",
  // Playwright keeps a pipe to the browser process; it is closed in `finally`.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using dir = await tempDir();
    const code = await Deno.readTextFile(await clientJs(dir.path));
    await using server = await startServer();
    const browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
    });
    try {
      const page = await browser.newPage();
      // The page is served by the example itself, so the page and the API share an origin.
      await page.goto(`${server.url}/hello`);
      const result = await page.evaluate(async ({ code, base, calls }) => {
        const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
        const body = `import { HttpError, RohasClient } from "${url}";
const BASE = "${base}";
${calls}
const chat = client.connectChat({ query: { token: "secret" } });
const welcome = await chat.next();
chat.send({ text: "from the browser" });
const echoed = await chat.next();
await chat.close();
export default { hello, name: user.name, status, welcome: welcome.type, echoed: echoed.text };`;
        const module = URL.createObjectURL(new Blob([body], { type: "text/javascript" }));
        return (await import(module)).default;
      }, { code, base: server.url, calls: CALLS });
      assert.deepEqual(result, {
        hello: { message: "Hello from Rohas" },
        name: "Ann",
        status: 401,
        welcome: "welcome",
        echoed: "from the browser",
      });
    } finally {
      await browser.close();
    }
  },
});
