/**
 * A user's first run, with an empty Deno cache: the CLI downloads only what the command needs,
 * never a test or benchmark dependency, and prints no notice about npm build scripts. Runs the
 * CLI as `rohas init --rohas <checkout>` projects do (`deno run -A --config <checkout>/deno.json
 * <checkout>/cli.ts`), against the npm registry.
 */

import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { join } from "node:path";
import { REPO } from "../../testing/mod.ts";

/** Packages only tests, benchmarks and the broker scripts use, and what they pull in. */
const TEST_ONLY = ["hono", "playwright-core", "fauxqs", "fastify", "pino"];

/** What `validate` needs: the config parser and the cron expression parser. */
const VALIDATE_NEEDS = ["croner", "smol-toml"];

interface FirstRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The npm packages whose tarballs were downloaded, by name, sorted. */
  downloaded: string[];
}

async function firstRun(args: string[], cwd: string): Promise<FirstRun> {
  const denoDir = await Deno.makeTempDir({ prefix: "rohas-first-run-cache-" });
  try {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", join(REPO, "deno.json"), ...args],
      cwd,
      env: { DENO_DIR: denoDir, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decoder = new TextDecoder();
    const stderr = decoder.decode(output.stderr);
    return {
      code: output.code,
      stdout: decoder.decode(output.stdout),
      stderr,
      downloaded: tarballs(stderr),
    };
  } finally {
    await Deno.remove(denoDir, { recursive: true });
  }
}

/** `Download https://registry.npmjs.org/@scope%2fname/-/name-1.2.3.tgz` lines, as package names. */
function tarballs(stderr: string): string[] {
  const names = [...stderr.matchAll(/^Download https:\/\/registry\.npmjs\.org\/(.+?)\/-\//gm)]
    .map((match) => decodeURIComponent(match[1]!));
  return [...new Set(names)].sort();
}

Deno.test("rohas --help and rohas version download nothing and print only their output on an empty cache", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    for (const args of [["--help"], ["version"]]) {
      const run = await firstRun([join(REPO, "cli.ts"), ...args], cwd);
      assertEquals(run.code, 0, run.stderr);
      assertEquals(run.stderr, "", `rohas ${args.join(" ")} printed on stderr`);
      ok(run.stdout.length > 0);
    }
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("rohas validate downloads the config and cron parsers and no test or benchmark package", async () => {
  const run = await firstRun(
    [join(REPO, "cli.ts"), "validate", join(REPO, "examples/hello-ts")],
    REPO,
  );
  assertEquals(run.code, 0, run.stderr);
  assertEquals(run.downloaded.filter((name) => TEST_ONLY.includes(name)), []);
  for (const name of VALIDATE_NEEDS) ok(run.downloaded.includes(name), run.stderr);
  // croner and smol-toml have no dependencies: anything else is more than validate needs.
  assertEquals(run.downloaded, VALIDATE_NEEDS);
  ok(!run.stderr.includes("build scripts"), run.stderr);
});

Deno.test("loading rocksdb (the default telemetry store) prints no notice about its build script", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const script = join(dir, "open.ts");
    // rocksdb ships prebuilt binaries; loading it proves they work without its install script.
    await Deno.writeTextFile(
      script,
      'import rocksdb from "rocksdb";\nconsole.log(typeof rocksdb);\n',
    );
    const run = await firstRun([script], dir);
    assertEquals(run.code, 0, run.stderr);
    assertEquals(run.stdout, "function\n");
    ok(run.downloaded.includes("rocksdb"), run.stderr);
    ok(!run.stderr.includes("build scripts"), run.stderr);
    assertEquals(run.downloaded.filter((name) => TEST_ONLY.includes(name)), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rohas dev on the memory adapter and store downloads neither broker clients nor database drivers", async () => {
  const app = await Deno.makeTempDir({ prefix: "rohas-first-run-app-" });
  const denoDir = await Deno.makeTempDir({ prefix: "rohas-first-run-cache-" });
  try {
    await copyDir(join(REPO, "examples/hello-ts"), app);
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", join(REPO, "deno.json"), join(REPO, "cli.ts"), "dev"]
        .concat(["--no-watch", "--port", "0", app]),
      cwd: app,
      env: { DENO_DIR: denoDir, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(child.stderr).text();
    const stdout = watch(child.stdout);
    await stdout.listening;
    child.kill("SIGINT");
    assertEquals((await child.status).code, 0, await stderr);
    const downloaded = tarballs(await stderr);
    ok((await stdout.all).includes("adapter memory, telemetry memory"));
    // The engine's own needs: the config and cron parsers and the OpenTelemetry API.
    assertEquals(downloaded, ["@opentelemetry/api", "croner", "smol-toml"]);
  } finally {
    await Deno.remove(app, { recursive: true });
    await Deno.remove(denoDir, { recursive: true });
  }
});

/** Reads the whole stream (the server must be able to write until it exits), noting "listening". */
function watch(
  stream: ReadableStream<Uint8Array>,
): { listening: Promise<void>; all: Promise<string> } {
  const listening = Promise.withResolvers<void>();
  const all = (async () => {
    let text = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      if (/listening on .*\n.*\n/.test(text)) listening.resolve();
    }
    listening.reject(new Error(`The server stopped before listening:\n${text}`));
    return text;
  })();
  return { listening: listening.promise, all };
}

async function copyDir(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    const source = join(from, entry.name);
    if (entry.isDirectory) await copyDir(source, join(to, entry.name));
    else if (entry.isFile) await Deno.copyFile(source, join(to, entry.name));
  }
}
