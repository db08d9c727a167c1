import assert from "node:assert/strict";
import { resolveOutput } from "./project_root.ts";

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
