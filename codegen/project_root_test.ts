import assert from "node:assert/strict";
import { findProjectRoot, resolveOutput } from "./project_root.ts";

Deno.test("resolveOutput() puts project files beside a relative src, not inside it", () => {
  assert.deepEqual(resolveOutput("src", "/home/me/app"), {
    root: "/home/me/app",
    outputDir: "src",
  });
  assert.deepEqual(resolveOutput("./src/", "/home/me/app"), {
    root: "/home/me/app",
    outputDir: "src",
  });
  assert.deepEqual(resolveOutput("../other/src", "/home/me/app"), {
    root: "/home/me/other",
    outputDir: "src",
  });
});

Deno.test("resolveOutput() uses an output dir not named src as the root", () => {
  assert.deepEqual(resolveOutput("out", "/home/me/app"), {
    root: "/home/me/app/out",
    outputDir: "",
  });
  assert.deepEqual(resolveOutput("/tmp/x/code", "/"), { root: "/tmp/x/code", outputDir: "" });
});

Deno.test("resolveOutput() keeps /src itself as the root", () => {
  assert.deepEqual(resolveOutput("/src", "/home"), { root: "/src", outputDir: "" });
});

Deno.test("findProjectRoot() finds the nearest config/rohas.toml above a folder", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/config`);
    await Deno.writeTextFile(`${root}/config/rohas.toml`, "");
    await Deno.mkdir(`${root}/src/handlers`, { recursive: true });
    assert.equal(await findProjectRoot(`${root}/src/handlers`), root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
