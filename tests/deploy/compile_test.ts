// `deno task compile`: the runtime download is unreachable on these machines, so the command is
// followed as far as the download, and what the binary would hold (the module graph, nothing
// else) runs from an empty directory under the permissions the task bakes in.
import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, tempDir } from "../../testing/mod.ts";
import { counters, eventually, fixtureConfig, fixtureProject, ping } from "./_project.ts";

Deno.test("deno task compile type-checks main.ts and gets as far as the runtime download", async () => {
  await using project = await fixtureProject();
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["task", "compile"],
    cwd: project.root,
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(180_000),
  }).output();
  const text = new TextDecoder().decode(output.stderr) + new TextDecoder().decode(output.stdout);
  assert.match(text, /Compile main\.ts to app/);
  assert.match(text, /Download https:\/\/dl\.deno\.land\/release\/.*denort/);
  assert.doesNotMatch(text, /Type checking failed|TS\d{4}/);
});

Deno.test("what deno compile embeds runs alone from an empty directory with the task's permissions", async () => {
  const port = freePort();
  await using project = await fixtureProject(
    (await fixtureConfig()).replace("[adapter]", `[server]\nport = ${port}\n\n[adapter]`),
  );
  await using empty = await tempDir({ prefix: "rohas_binary_" });
  for (const file of await localModules(project.root)) {
    const target = join(empty.path, relative(project.root, file));
    await Deno.mkdir(dirname(target), { recursive: true });
    await Deno.copyFile(file, target);
  }
  // The import map and lock the compiler resolves with; no schema, no config, no handler not in the graph.
  for (const file of ["deno.json", "deno.lock"]) {
    await Deno.copyFile(join(project.root, file), join(empty.path, file));
  }
  const words = project.denoJson.tasks.compile!.split(" ");
  const flags = words.filter((w) => /^--(allow|unstable)-/.test(w));
  assert.deepEqual(flags, ["--allow-net", "--allow-env", "--unstable-kv", "--unstable-cron"]);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, "main.ts", "--listen"],
    cwd: empty.path,
    env: { NO_COLOR: "1" },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const url = `http://127.0.0.1:${port}`;
  try {
    const id = await ping(await eventually(() => counters(url).then(() => url)), 1);
    await eventually(async () => assert.deepEqual((await counters(url)).handled, [id]));
  } finally {
    child.kill("SIGTERM");
    await child.status;
  }
  assert.doesNotMatch(await stderr, /NotCapable|PermissionDenied|NotFound/);
});

/** The project's own files in main.ts's module graph. */
async function localModules(root: string): Promise<string[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "main.ts"],
    cwd: root,
    stdout: "piped",
  }).output();
  const info = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    modules: { specifier: string }[];
  };
  return info.modules.map((m) => m.specifier).filter((s) => s.startsWith("file:"))
    .map((s) => fileURLToPath(s)).filter((path) => path.startsWith(`${root}/`));
}
