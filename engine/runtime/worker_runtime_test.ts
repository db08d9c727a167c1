import { createWorkerRuntime } from "./worker_runtime.ts";
import { testCallingConventions } from "./_conventions_suite.ts";
import { permissionsWith, PROJECT } from "./_test_helpers.ts";

testCallingConventions(
  "WorkerRuntime",
  () => createWorkerRuntime({ root: PROJECT, permissions: permissionsWith() }),
);
