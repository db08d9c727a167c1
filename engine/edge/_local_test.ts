import assert from "node:assert/strict";
import type { AppModel } from "../app_model.ts";
import type { HandlerRef } from "../runtime/contract.ts";
import type { PermissionSet, PermissionsSection } from "../../project/mod.ts";
import { edgeShare } from "./_local.ts";

const ROOT = "/srv/app";

function ref(name: string, profile = "default"): HandlerRef {
  const file = `${ROOT}/src/handlers/api/${name}.ts`;
  return { kind: "api", name, owner: name, language: "typescript", file, exports: [], profile };
}

/** Two routes: one on the default profile, one with a profile of its own. */
const MODEL = {
  routes: [
    { handler: ref("hello"), middlewares: [] },
    { handler: ref("spin", "Spin"), middlewares: [] },
  ],
} as unknown as AppModel;

function permissions(net: PermissionSet["net"]): PermissionsSection {
  const defaults: PermissionSet = {
    net,
    read: ["."],
    write: false,
    env: false,
    run: false,
    ffi: false,
    sys: false,
    import: true,
  };
  return { defaults, handlers: { Spin: { read: ["src"] } } };
}

Deno.test("edges serve the default profile's routes when it grants the whole network", () => {
  const share = edgeShare(MODEL, permissions(true), ROOT);
  assert.deepEqual(share.routes, [0]);
  assert.deepEqual(share.files, [`${ROOT}/src/handlers/api/hello.ts`]);
});

Deno.test("edges serve nothing when the default profile's net is false or a host list", () => {
  for (const net of [false, ["api.example.com:443"]]) {
    assert.deepEqual(edgeShare(MODEL, permissions(net), ROOT), { routes: [], files: [] });
  }
});
