import assert from "node:assert/strict";
import type { AppModel } from "../app_model.ts";
import type { HandlerRef } from "../runtime/contract.ts";
import { parseConfig } from "../../project/mod.ts";
import { autoEdgeCount, edgeCount } from "./serve_edges.ts";

const ROOT = "/srv/app";

function ref(name: string): HandlerRef {
  const file = `${ROOT}/src/handlers/api/${name}.ts`;
  return {
    kind: "api",
    name,
    owner: name,
    language: "typescript",
    file,
    exports: [],
    profile: "default",
  };
}

/** One route an edge can serve. */
const MODEL = { routes: [{ handler: ref("hello"), middlewares: [] }] } as unknown as AppModel;

Deno.test("workers = auto starts one edge fewer than the machine has cores, one to eight", () => {
  assert.equal(autoEdgeCount(), Math.max(1, Math.min(8, navigator.hardwareConcurrency - 1)));
  const config = parseConfig("", { file: "rohas.toml" });
  assert.equal(config.server.workers, "auto");
  const count = edgeCount(config, MODEL, { mode: "production", root: ROOT });
  assert.equal(count, Deno.build.os === "linux" ? autoEdgeCount() : 0);
  assert.equal(edgeCount(config, MODEL, { mode: "dev", root: ROOT }), 0);
});

Deno.test("a workers count in the config is the number of edges", () => {
  const config = parseConfig("[server]\nworkers = 3\n", { file: "rohas.toml" });
  assert.equal(edgeCount(config, MODEL, { mode: "production", root: ROOT }), 3);
});
