// `rohas diff` end to end: a project in a real git repository, compared with a revision and with
// another directory; exit codes 0 (safe), 1 (breaking), 2 (cannot compare); `--json`.
import assert from "node:assert/strict";
import { copyDir } from "../engine/_server.ts";
import { run } from "../codegen/_helpers.ts";
import { REPO, rohas, tempDir } from "../../testing/mod.ts";

async function gitProject(dir: string): Promise<void> {
  await copyDir(`${REPO}/examples/hello-ts/schema`, `${dir}/schema`);
  await copyDir(`${REPO}/examples/hello-ts/config`, `${dir}/config`);
  const git = (...args: string[]) =>
    run("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: dir });
  for (const args of [["init", "-q", "-b", "main"], ["add", "."], ["commit", "-qm", "v1"]]) {
    const result = await git(...args);
    assert.equal(result.code, 0, result.stderr);
  }
}

async function replaceIn(file: string, from: string, to: string): Promise<void> {
  const text = await Deno.readTextFile(file);
  assert.ok(text.includes(from), `${file} contains ${from}`);
  await Deno.writeTextFile(file, text.replace(from, to));
}

Deno.test("rohas diff against a git revision exits 1 on a breaking change, with its position", async () => {
  await using dir = await tempDir();
  await gitProject(dir.path);
  await replaceIn(`${dir.path}/schema/models.ro`, "  orderId: String\n", "");
  await replaceIn(
    `${dir.path}/schema/models.ro`,
    "  amount: Float\n",
    "  amount: Float\n  note: String\n",
  );
  const result = await rohas(["diff", "main"], { cwd: dir.path });
  assert.equal(result.code, 1, result.stderr);
  assert.match(
    result.stdout,
    /schema\/models\.ro:\d+:9: request\.field_added_required: API "PlaceOrder"'s body field "note" was added as required \(String\) \(breaks API callers\)/,
  );
  // The removed field is shown where it was, in the revision.
  assert.match(result.stdout, /main:schema\/models\.ro:\d+:12: request\.field_removed/);
  assert.match(result.stdout, /^1 breaking, 1 safe$/m);
});

Deno.test("rohas diff exits 0 when every change is safe, and --json lists them", async () => {
  await using dir = await tempDir();
  await gitProject(dir.path);
  await replaceIn(
    `${dir.path}/schema/models.ro`,
    "  amount: Float\n",
    "  amount: Float\n  note: String?\n",
  );
  const result = await rohas(["diff", "main", "--json"], { cwd: dir.path });
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  assert.equal(report.breaking, 0);
  assert.equal(report.safe, 1);
  assert.equal(report.changes[0].kind, "request.field_added_optional");
  assert.equal(report.changes[0].position.file, "schema/models.ro");
  assert.equal(report.changes[0].position.side, "new");
});

Deno.test("rohas diff compares two directories", async () => {
  await using before = await tempDir();
  await using after = await tempDir();
  await copyDir(`${REPO}/examples/hello-ts/schema`, `${before.path}/schema`);
  await copyDir(`${REPO}/examples/hello-ts/schema`, `${after.path}/schema`);
  // (not /people/{id}: the example serves that route already)
  await replaceIn(`${after.path}/schema/api.ro`, 'path: "/users/{id}"', 'path: "/members/{id}"');
  const result = await rohas(["diff", before.path, after.path], { cwd: before.path });
  assert.equal(result.code, 1);
  assert.match(
    result.stdout,
    /api\.path_changed: API "GetUser" moved from "\/users\/\{id\}" to "\/members\/\{id\}"/,
  );
});

Deno.test("rohas diff exits 2 on an unknown revision and on a schema with errors", async () => {
  await using dir = await tempDir();
  await gitProject(dir.path);
  const unknown = await rohas(["diff", "no-such-branch"], { cwd: dir.path });
  assert.equal(unknown.code, 2);
  assert.match(
    unknown.stderr,
    /Error: Cannot compare "no-such-branch": Unknown git revision "no-such-branch"/,
  );
  await replaceIn(`${dir.path}/schema/api.ro`, "response: Greeting", "response: Greting");
  const invalid = await rohas(["diff", "main"], { cwd: dir.path });
  assert.equal(invalid.code, 2);
  assert.match(invalid.stderr, /Error: Cannot compare "\.": The schema has 1 error/);
});
