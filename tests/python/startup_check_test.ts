/**
 * `rohas dev` imports every Python handler module before it serves: a missing package or a broken
 * module stops the start with each module named and, for a missing package, the interpreter and
 * the `pip install` line (before, the server started and every call to such a handler failed).
 */

import { deepStrictEqual as assertEquals, match as assertMatch } from "node:assert/strict";
import { rohas, tempDir } from "../../testing/mod.ts";

const SCHEMA = `api Report {
  method: GET
  path: "/report"
  response: Json
}

api Fine {
  method: GET
  path: "/fine"
  response: Json
}

event Tick {
  payload: Json
  handler: [on_tick]
}
`;

Deno.test("rohas dev refuses to start when a Python handler module does not import, naming each and the pip line", async () => {
  await using dir = await tempDir({
    prefix: "rohas-py-startup-",
    files: {
      "schema/api.ro": SCHEMA,
      "config/rohas.toml": `[project]\nname = "startup"\nlanguage = "python"\n\n` +
        `[runtime.python]\nexecutable = "python3"\n`,
      "src/handlers/api/report.py":
        `import rohas_absent_package.charts\n\n\ndef handle_report(req):\n    return {"data": 1}\n`,
      "src/handlers/api/fine.py": `def handle_fine(req):\n    return {"data": 2}\n`,
      "src/handlers/events/on_tick.py": `def handle_on_tick(event:\n    pass\n`,
    },
  });
  const run = await rohas(["dev", "--no-watch", "--port", "0", dir.path], {
    process: true,
    timeoutMs: 60_000,
  });
  assertEquals(run.code, 1, run.stdout + run.stderr);
  assertEquals(run.stdout.includes("listening on"), false, run.stdout);
  assertMatch(run.stderr, /Error: Cannot start: 2 Python handler modules do not import\n/);
  assertMatch(
    run.stderr,
    /\n {2}src\/handlers\/api\/report\.py: ModuleNotFoundError: No module named 'rohas_absent_package'\n/,
  );
  assertMatch(run.stderr, /\n {2}src\/handlers\/events\/on_tick\.py: SyntaxError: /);
  assertMatch(
    run.stderr,
    /rohas_absent_package is not installed for the Python interpreter "python3" \(\[runtime\.python\] executable\): install with\n {2}python3 -m pip install rohas_absent_package\n/,
  );
});
