// The workbench's Flow control page in a real headless Chromium, on a `rohas dev` project whose
// handler is limited to 1 run at once per key and 5 runs an hour: it shows the run in flight for
// its key and the budget used, read from the state every instance shares, and the slot freed once
// the run ends.
import { ok as assert } from "node:assert/strict";
import { chromium } from "playwright-core";
import { startServer } from "../engine/_server.ts";

const FIXTURE = new URL("../cluster/limits_fixture/", import.meta.url).pathname;
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"];

const SCHEMA = `
input JobInput {
  key: String
  n: Int
}

api Enqueue {
  method: POST
  path: "/jobs"
  body: JobInput
  response: Json
  triggers: [JobQueued]
}

event JobQueued {
  payload: JobInput
  handler: [held]
  on held {
    concurrency: 1 by key
    rate: 5 per 1h
  }
}
`;

// Runs until the test writes out/release, so the page can be looked at while it holds its slot.
const HELD = `
export async function handleHeld(): Promise<void> {
  const release = new URL("../../../out/release", import.meta.url);
  for (;;) {
    try {
      Deno.statSync(release);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
`;

async function prepare(dir: string): Promise<void> {
  await Deno.writeTextFile(`${dir}/schema/app.ro`, SCHEMA);
  for (const name of ["bounded", "metered", "arrivals"]) {
    await Deno.remove(`${dir}/src/handlers/events/${name}.ts`);
  }
  await Deno.writeTextFile(`${dir}/src/handlers/events/held.ts`, HELD);
  await Deno.mkdir(`${dir}/out`, { recursive: true });
  const config = await Deno.readTextFile(`${dir}/config/rohas.toml`);
  await Deno.writeTextFile(
    `${dir}/config/rohas.toml`,
    config.replace('write = ["out"]', 'write = ["out"]\nread = ["out"]'),
  );
}

async function post(url: string, n: number): Promise<void> {
  const response = await fetch(`${url}/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ key: "ada", n }),
  });
  await response.body?.cancel();
  assert(response.status === 200, `job ${n}: ${response.status}`);
}

Deno.test({
  name: "the Flow control page shows runs in flight per key and the rate budget used",
  // Playwright keeps a pipe to the browser process; it is closed in `finally`.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using server = await startServer({ from: FIXTURE, prepare });
    const browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: CHROMIUM_ARGS,
    });
    try {
      const page = await browser.newPage();
      await post(server.url, 1);
      await post(server.url, 2);
      await page.goto(`${server.url}/_rohas/#/flow`);
      const live = (control: string) =>
        page.locator(
          `[data-testid="flow-row"][data-control="${control}"] [data-testid="flow-live"]`,
        );
      await live("concurrency").getByText('"ada": 1 of 1 in flight').waitFor({ timeout: 30_000 });
      await live("rate").getByText("all events: 2 of 5 used").waitFor();
      await Deno.writeTextFile(`${server.dir}/out/release`, "");
      // The page refreshes when a trace ends: both runs end, the slot is free.
      await live("concurrency").getByText("none in flight").waitFor({ timeout: 30_000 });
    } finally {
      await browser.close();
    }
  },
});
