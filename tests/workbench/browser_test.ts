// Drives the workbench in a real headless Chromium (Debian `chromium`, scripts/services/install.sh)
// on the example app, and saves a screenshot of each page under docs/images/.
import { ok as assert } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { chromium, type Page } from "playwright-core";
import { startWorkbenchApp } from "./_app.ts";

// Screenshots refresh docs/images/ only when asked, so a test run leaves the tree clean:
//   ROHAS_UPDATE_SCREENSHOTS=1 deno test -A tests/workbench/browser_test.ts
const UPDATE = Deno.env.get("ROHAS_UPDATE_SCREENSHOTS") === "1";
const IMAGES = UPDATE
  ? fileURLToPath(new URL("../../docs/images/", import.meta.url))
  : `${await Deno.makeTempDir({ prefix: "rohas_screenshots_" })}/`;
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Polls a condition of the page until it holds, failing after 15 s. */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    assert(Date.now() < deadline, `Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${IMAGES}workbench-${name}.png`, fullPage: false });
}

Deno.test({
  name: "the workbench in Chromium draws the graph, traces a request, triggers and replays events",
  // Playwright keeps a pipe to the browser process between steps; both are closed in `finally`.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await using app = await startWorkbenchApp();
    const browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: CHROMIUM_ARGS,
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
      const go = (route: string) => page.goto(`${app.url}/_rohas/#/${route}`);

      await t.step("the overview shows the schema counts", async () => {
        await go("overview");
        await page.getByTestId("count-apis").waitFor();
        assert(Number(await page.getByTestId("count-apis").textContent()) >= 10);
        await page.getByTestId("memory").waitFor();
      });

      await t.step("the schema graph is drawn from the schema", async () => {
        await go("graph");
        await page.getByTestId("schema-graph").waitFor();
        assert(await page.getByTestId("graph-node").count() >= 20);
        assert(await page.locator('path.edge[data-relation="triggers"]').count() >= 3);
        await page.locator('[data-id="event:UserCreated"]').click();
        await page.getByTestId("node-details").getByText("UserCreated triggers").first().waitFor();
        await shot(page, "schema-graph");
        await go("schema");
        await page.getByTestId("file").first().waitFor();
        await shot(page, "schema");
      });

      await t.step("a request sent from the API tester shows up as a trace tree", async () => {
        await go("api");
        await page.getByTestId("api-select").selectOption("CreateUser");
        // Polled through locators: page.waitForFunction evaluates a string, which the app's
        // Content-Security-Policy (no unsafe-eval) refuses.
        await until(
          "the body seeded from CreateUserInput",
          async () => (await page.getByTestId("api-body").inputValue()).includes('"email"'),
        );
        await page.getByTestId("api-body").fill('{"name":"Ada","email":"ada@example.com"}');
        await page.getByTestId("api-send").click();
        await page.getByTestId("api-status").getByText("200").waitFor();
        await shot(page, "api-tester");
        await page.getByTestId("api-result").getByTestId("trace-link").click();
        await page.getByTestId("trace-entry").getByText("CreateUser").waitFor();
        // The child event traces (UserCreated, UserAudited...) join the waterfall live.
        await until(
          "three traces in the waterfall",
          async () => await page.getByTestId("wf-trace").count() >= 3,
        );
        await page.getByTestId("trace-logs").getByText("User created").waitFor();
        await shot(page, "trace-waterfall");
        await go("traces");
        await page.locator('[data-testid="trace-row"][data-entry="CreateUser"]').first().waitFor();
        await shot(page, "traces");
      });

      await t.step("the trace explorer filters by type, status, text and time", async () => {
        const failed = await fetch(`${app.url}/fail`);
        await failed.body?.cancel();
        const failedId = failed.headers.get("x-rohas-trace-id")!;
        await go("traces");
        const rows = page.getByTestId("trace-row");
        await page.locator('[data-testid="trace-row"][data-entry="Fail"]').first().waitFor();
        const only = async (attribute: string, value: string) => {
          const values = await rows.evaluateAll(
            (els, a) => els.map((e) => e.getAttribute(a)),
            attribute,
          );
          assert(values.length > 0 && values.every((v) => v === value), `${attribute}: ${values}`);
        };
        await page.getByTestId("filter-type").selectOption("event");
        await only("data-type", "event");
        await page.getByTestId("filter-type").selectOption("");
        await page.getByTestId("filter-status").selectOption("failed");
        await only("data-status", "failed");
        await page.getByTestId("filter-status").selectOption("");
        await page.getByTestId("filter-text").fill(failedId);
        await only("data-entry", "Fail");
        await page.getByTestId("filter-text").fill("");
        const all = await rows.count();
        await page.getByTestId("filter-time").selectOption("5m");
        assert(all >= 3 && await rows.count() === all);
      });

      await t.step("an event is triggered from the form", async () => {
        await go("events");
        await page.getByTestId("event-select").selectOption("OrderPlaced");
        await page.getByTestId("event-trigger").click();
        await page.getByTestId("event-ok").waitFor();
        await shot(page, "events");
      });

      await t.step(
        "the flow page shows a handler's delay and the delayed events waiting",
        async () => {
          // Due in a minute: it waits for the whole step.
          await app.engine.publish("OrderReminder", { id: "wb-1" }, {
            parentId: null,
            source: "workbench",
            timing: { kind: "at", at: Date.now() + 60_000, key: "wb-1" },
          });
          await until("the delayed OrderReminder on the flow page", async () => {
            await go("flow");
            await page.getByTestId("flow").locator("table, p").first().waitFor();
            return await page.locator('[data-testid="delayed-row"][data-event="OrderReminder"]')
              .count() === 1;
          });
          const row = page.locator('[data-testid="delayed-row"][data-event="OrderReminder"]');
          assert((await row.getByTestId("delayed-waiting").textContent()) === "1");
          const delay = page.locator(
            '[data-testid="flow-row"][data-handler="escalate_order"][data-control="delay"]',
          );
          assert((await delay.count()) === 1, "escalate_order's delay is listed");
          await shot(page, "flow");
        },
      );

      await t.step("a dead letter is listed and replayed", async () => {
        await go("events");
        await page.getByTestId("event-select").selectOption("AlwaysFails");
        await page.getByTestId("event-trigger").click();
        await page.getByTestId("event-ok").waitFor();
        await go("dead-letters");
        await until("a dead letter", async () => {
          if (await page.getByTestId("dead-letter-row").count() > 0) return true;
          await page.getByRole("button", { name: "Refresh" }).click();
          return false;
        });
        await shot(page, "dead-letters");
        await page.getByTestId("replay").first().click();
        await page.getByTestId("replayed").getByText("Replayed 1 of AlwaysFails").waitFor();
      });

      await t.step("cron jobs run now, logs stream live, the socket client talks", async () => {
        await go("crons");
        await page.getByTestId("cron-run").first().click();
        await page.getByTestId("cron-result").getByText("succeeded").waitFor();
        await shot(page, "crons");
        await go("logs");
        await page.getByTestId("log-line").first().waitFor();
        await page.getByTestId("log-text").fill("User created");
        await page.getByTestId("log-line").getByText("User created").first().waitFor();
        await shot(page, "logs");
        await go("ws");
        await page.getByTestId("ws-select").selectOption("Echo");
        await page.getByTestId("ws-connect").click();
        await page.getByTestId("ws-log").getByText("open").waitFor();
        await page.getByTestId("ws-message").fill('{"hi":1}');
        await page.getByTestId("ws-send").click();
        await page.getByTestId("ws-log").getByText("echo").first().waitFor();
        await shot(page, "websocket");
        await page.getByTestId("ws-connect").click();
      });

      await t.step("the flow control page shows a handler's debounced events", async () => {
        const user = {
          id: "wb-flo",
          email: "flo@example.com",
          age: null,
          createdAt: "2026-01-01T00:00:00Z",
        };
        for (let n = 0; n < 5; n++) {
          await app.bus.publish("ProfileEdited", { ...user, name: `Flo ${n}` }, {
            parentId: null,
            source: "workbench",
          });
        }
        await go("flow");
        const row = page.locator('[data-testid="flow-row"][data-handler="index_profile"]');
        await row.getByText("300ms by id trailing max 5s").waitFor();
        // Five edits of one profile: four were debounced away, the last one ran.
        await until("four events held back", async () => {
          const held = Number(await row.getByTestId("flow-held").textContent());
          if (held >= 4) return true;
          await go("flow");
          return false;
        });
        await shot(page, "flow");
      });

      await t.step("the overview shows request totals and p99 per route", async () => {
        await go("overview");
        await page.getByTestId("routes").getByText("POST /users").waitFor();
        assert(Number(await page.getByTestId("requests-total").textContent()) >= 1);
        // GET /fail failed in an earlier step.
        assert(parseFloat(await page.getByTestId("error-rate").textContent() ?? "") > 0);
        await page.getByTestId("request-rate").waitFor();
        const p99 = await page.getByTestId("routes").locator("tr").nth(1).locator("td").nth(3)
          .textContent();
        assert(/\d/.test(p99 ?? ""), `p99 ${p99}`);
        // A request made now shows up through the event stream, well before the 10 s refresh.
        const before = Number(await page.getByTestId("requests-total").textContent());
        await (await fetch(`${app.url}/hello`)).body?.cancel();
        const sent = Date.now();
        await until(
          "the overview to count the request",
          async () => Number(await page.getByTestId("requests-total").textContent()) > before,
        );
        assert(Date.now() - sent < 5_000, "the overview waited for its timer, not the stream");
        await shot(page, "overview");
      });
      await app.engine.idle();
    } finally {
      await browser.close();
      if (!UPDATE) await Deno.remove(IMAGES, { recursive: true });
    }
  },
});

Deno.test({
  name: "the workbench asks for the API key on a 401 and keeps it out of the page",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using app = await startWorkbenchApp({ apiKey: "browser-key-7", mode: "production" });
    const browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: CHROMIUM_ARGS,
    });
    try {
      const page = await browser.newPage();
      await page.goto(`${app.url}/_rohas/#/overview`);
      assert(!(await page.content()).includes("browser-key-7"));
      await page.getByTestId("api-key").fill("browser-key-7");
      await page.getByRole("button", { name: "Save" }).click();
      await page.getByTestId("count-apis").waitFor();
      assert(Number(await page.getByTestId("count-apis").textContent()) >= 10);
    } finally {
      await browser.close();
    }
  },
});

/** The parts of the graph's SVG elements the check reads (this file is checked without the DOM). */
interface SvgPart {
  dataset: Record<string, string | undefined>;
  getAttribute(name: string): string | null;
  querySelector(selector: string): SvgPart | null;
  getTotalLength(): number;
  getPointAtLength(at: number): { x: number; y: number };
}

/** Edges of the drawn graph that pass through a box other than their own two ends (runs in the page). */
function edgesThroughBoxes(
  root: { querySelectorAll(selector: string): Iterable<SvgPart> },
): string[] {
  const boxes = [...root.querySelectorAll("g.node")].map((g) => {
    const [x, y] = (g.getAttribute("transform") ?? "").match(/-?[\d.]+/g)!.map(Number);
    const rect = g.querySelector("rect")!;
    const w = Number(rect.getAttribute("width"));
    const h = Number(rect.getAttribute("height"));
    return { id: g.dataset.id!, x: x!, y: y!, w, h };
  });
  const crossing: string[] = [];
  for (const path of root.querySelectorAll("path.edge")) {
    const ends = [path.dataset.source, path.dataset.target];
    const length = path.getTotalLength();
    for (let at = 0; at <= length; at += 3) {
      const p = path.getPointAtLength(at);
      const hit = boxes.find((b) =>
        !ends.includes(b.id) && p.x > b.x + 1 && p.x < b.x + b.w - 1 && p.y > b.y + 1 &&
        p.y < b.y + b.h - 1
      );
      if (hit) {
        crossing.push(`${ends.join(" -> ")} crosses ${hit.id}`);
        break;
      }
    }
  }
  return crossing;
}

Deno.test({
  name:
    "the workbench draws middlewares as such, counts traces truly and keeps a guarded API's headers",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    // It pages through more traces than the default persists in one second: it keeps them all.
    await using app = await startWorkbenchApp({ maxPersistedPerSecond: 0 });
    const browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: CHROMIUM_ARGS,
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
      const failures: string[] = [];
      page.on("response", (r) => {
        if (r.status() >= 400 && !r.url().endsWith("/protected")) {
          failures.push(`${r.status()} ${r.url()}`);
        }
      });
      page.on("console", (m) => {
        // The tester's 401 from the guarded API is the point of that step.
        if (m.type() === "error" && !m.text().includes("401")) failures.push(m.text());
      });
      const go = (route: string) => page.goto(`${app.url}/_rohas/#/${route}`);

      await t.step("the page has an icon, so the browser asks for no /favicon.ico", async () => {
        await go("overview");
        await page.getByTestId("count-apis").waitFor();
        const href = await page.locator('link[rel="icon"]').getAttribute("href");
        const icon = await fetch(new URL(href!, `${app.url}/_rohas/`));
        assert(icon.status === 200, `icon ${icon.status}`);
        assert(icon.headers.get("content-type")?.startsWith("image/svg+xml"));
        assert((await icon.text()).startsWith("<svg"));
      });

      await t.step(
        "the schema graph draws middlewares as such, no edge through a box",
        async () => {
          await go("graph");
          await page.getByTestId("schema-graph").waitFor();
          const auth = page.locator('[data-id="middleware:auth"]');
          assert((await auth.getAttribute("data-kind")) === "middleware");
          assert(await page.locator('[data-id="handler:auth"]').count() === 0);
          const guards = page.locator('path.edge[data-relation="guards"]');
          assert(await guards.count() === 2, `${await guards.count()} guards edges`);
          await page.locator('path[data-source="middleware:auth"][data-target="api:Protected"]')
            .waitFor({ state: "attached" });
          const crossing = await page.getByTestId("schema-graph")
            .evaluate(edgesThroughBoxes as unknown as (root: unknown) => string[]);
          assert(crossing.length === 0, crossing.join("\n"));
          await auth.click();
          await page.getByTestId("node-details").getByText("Kind: middleware").waitFor();
        },
      );

      await t.step("the schema page lists each middleware with what it guards", async () => {
        await go("schema");
        const auth = page.locator('[data-testid="middleware"][data-name="auth"]');
        await auth.getByText("guards API Protected").waitFor();
        await page.locator('[data-testid="middleware"][data-name="ws_auth"]')
          .getByText("guards ws Chat").waitFor();
        await auth.click();
        await page.getByTestId("source").getByText("authMiddleware").waitFor();
      });

      await t.step(
        "the API tester names the guard, the rejecter, and keeps the headers",
        async () => {
          await go("api");
          await page.getByTestId("api-select").selectOption("Protected");
          await page.getByTestId("api-guards").getByText("Guarded by middleware auth").waitFor();
          await page.getByTestId("api-send").click();
          await page.getByTestId("api-status").getByText("401").waitFor();
          await page.getByTestId("api-rejected")
            .getByText("Rejected by middleware auth: Missing bearer token").waitFor();
          await page.getByTestId("api-headers").fill('{"authorization":"Bearer ada"}');
          await page.getByTestId("api-send").click();
          await page.getByTestId("api-status").getByText("200").waitFor();
          await page.reload();
          await page.getByTestId("api-select").selectOption("Protected");
          await until(
            "the headers kept for Protected",
            async () => (await page.getByTestId("api-headers").inputValue()).includes("Bearer ada"),
          );
          await page.getByTestId("api-select").selectOption("Hello");
          await until(
            "Hello's own (empty) headers",
            async () => (await page.getByTestId("api-headers").inputValue()) === "{}",
          );
          await page.getByTestId("api-guards").getByText("No middleware guards this API").waitFor();
        },
      );

      await t.step("the traces page lists as many rows as it says, and loads more", async () => {
        for (let i = 0; i < 260; i++) await (await fetch(`${app.url}/hello`)).body?.cancel();
        await app.engine.idle();
        await app.telemetry.flush();
        const total = (await app.telemetry.traces({ limit: 100_000 })).length;
        assert(total >= 260, `${total} traces`);
        await go("traces");
        const rows = page.getByTestId("trace-row");
        await until("the first page", async () => await rows.count() === 200);
        const shown = async () => Number(await page.getByTestId("stat-shown").textContent());
        assert(await shown() === 200, `shown ${await shown()}`);
        await page.getByTestId("trace-count").getByText("Listing 200 traces").waitFor();
        // The button is disabled while a page loads and gone once every trace is listed.
        const more = page.getByTestId("trace-more");
        for (;;) {
          const loading = page.locator('[data-testid="trace-more"]:disabled');
          await until("the page of older traces", async () => await loading.count() === 0);
          if (await more.count() === 0) break;
          await more.click();
        }
        await page.getByTestId("trace-count").getByText(`All ${total} traces listed`).waitFor();
        assert(await rows.count() === total, `${await rows.count()} rows of ${total}`);
        assert(await shown() === total, `shown ${await shown()} of ${total}`);
      });
      assert(failures.length === 0, failures.join("\n"));
      await app.engine.idle();
    } finally {
      await browser.close();
    }
  },
});
