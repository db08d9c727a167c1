/**
 * The files `rohas init` writes before running codegen: an example schema, `config/rohas.toml` with
 * every key at its default, and real example handlers (not throwing stubs) so `deno task dev`
 * serves something at once.
 *
 * @module
 */

import { EXAMPLE_PY, EXAMPLE_TS } from "./_init_handlers.ts";
import { initExampleTest } from "./_init_test_file.ts";

/** Options of {@linkcode initProjectFiles}. */
export interface InitOptions {
  /** Default `"typescript"`. */
  language?: "typescript" | "python";
  /** `hello` (default): a model, an input, APIs, an event, a cron and a WebSocket. `blank`: one API. */
  example?: "hello" | "blank";
}

/**
 * The starting files of a new project, paths relative to its root (project files and stubs come
 * from codegen afterwards).
 *
 * @param name the project name
 * @param options language and example
 * @returns path and content of each file, sorted by path
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { initProjectFiles } from "./init_project.ts";
 * const files = initProjectFiles("app", { language: "typescript" });
 * assert(files.some((f) => f.path === "config/rohas.toml"));
 * ```
 */
export function initProjectFiles(
  name: string,
  options: InitOptions = {},
): { path: string; content: string }[] {
  const language = options.language ?? "typescript";
  const example = options.example ?? "hello";
  const files = [{ path: "config/rohas.toml", content: configToml(name, language) }];
  if (example === "blank") {
    files.push({ path: "schema/api/health.ro", content: BLANK_SCHEMA });
    const handlers = language === "python" ? BLANK_PY : BLANK_TS;
    files.push(...handlers);
  } else {
    files.push(...HELLO_SCHEMA, ...(language === "python" ? EXAMPLE_PY : EXAMPLE_TS));
  }
  // The test kit runs TypeScript handlers (from the generated manifest).
  if (language === "typescript") {
    files.push({ path: "tests/app_test.ts", content: initExampleTest(example) });
  }
  return files.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

const BLANK_SCHEMA =
  `// One API to start from. Add models, inputs, events, crons and WebSockets here.
api Health {
  method: GET
  path: "/health"
  response: String
}
`;

const BLANK_TS = [{
  path: "src/handlers/api/health.ts",
  content: `import type { HealthRequest, HealthResponse } from "../../generated/api/health.ts";
import type { State } from "../../generated/state.ts";

/** \`GET /health\`: answers "ok". */
export function handleHealth(_req: HealthRequest, _state: State): HealthResponse {
  return { data: "ok" };
}
`,
}];

const BLANK_PY = [{
  path: "src/handlers/api/health.py",
  content: `from generated.api.health import HealthRequest, HealthResponse
from generated.state import State


async def handle_health(req: HealthRequest, state: State) -> HealthResponse:
    """GET /health: answers "ok"."""
    return HealthResponse(data="ok")
`,
}];

const HELLO_SCHEMA = [
  {
    path: "schema/models/user.ro",
    content: `model User {
  id        Int      @id @auto
  name      String
  email     String   @unique
  createdAt DateTime @default(now)
}
`,
  },
  {
    path: "schema/api/user_api.ro",
    content: `input CreateUserInput {
  name: String
  email: String
}

api Hello {
  method: GET
  path: "/hello"
  response: String
}

api CreateUser {
  method: POST
  path: "/users"
  body: CreateUserInput
  response: User
  triggers: [UserCreated]
}

api GetUser {
  method: GET
  path: "/users/{id}"
  response: User
}
`,
  },
  {
    path: "schema/events/user_events.ro",
    content: `event UserCreated {
  payload: User
  handler: [send_welcome_email]
}
`,
  },
  {
    path: "schema/cron/heartbeat.ro",
    content:
      `// Every five minutes (five fields: minute hour day month weekday; six with seconds first).
cron Heartbeat {
  schedule: "*/5 * * * *"
}
`,
  },
  {
    path: "schema/websockets/chat.ro",
    content: `input ChatText {
  text: String
}

ws Chat {
  path: "/ws/chat"
  message: ChatText
  onConnect: [chat_connected]
  onMessage: [chat_message]
  broadcast: true
}
`,
  },
];

function configToml(name: string, language: string): string {
  return `# Rohas configuration. Every key is shown with its default; uncommented keys are set.

[project]
name = ${JSON.stringify(name)}
version = "0.1.0"
# "typescript" (or "ts") or "python" (or "py").
language = "${language}"

[server]
host = "127.0.0.1"
port = 3000
enable_cors = true
# Larger request bodies get 413.
# max_body_bytes = 1048576
# Body or message keys the schema type does not declare: "accept" (handed on as sent) or "reject" (422).
# unknown_fields = "accept"
# Every handler call is abandoned after this (504 for APIs).
# handler_timeout_ms = 30000
# How long SIGTERM waits for in-flight work.
# shutdown_timeout_ms = 10000
# Processes serving the port under rohas start ("auto": one fewer than the cores, 1 to 8; 0: none).
# workers = "auto"

[adapter]
# memory (default), rocksdb, denokv, nats, rabbitmq, kafka, sqs, aws.
type = "memory"
buffer_size = 1000
# Deliveries before an event goes to its dead-letter topic <event>.dlq.
# max_attempts = 5
# First retry delay, doubling per attempt with jitter, up to max_backoff_ms.
# backoff_ms = 500
# max_backoff_ms = 60000
# A published payload that does not match its event's payload type: "refuse" (default) fails the
# publish with the field and the problem; "log" publishes it with a warning.
# payload_checks = "refuse"
# Broker-specific keys, for example:
# url = "nats://127.0.0.1:4222"
# brokers = ["127.0.0.1:9092"]
# region = "us-east-1"
# queue_prefix = "${name}-"

[telemetry]
# rocksdb (default), memory, prometheus, influxdb, timescaledb.
type = "rocksdb"
# Relative to the project root unless absolute.
path = ".rohas/telemetry"
# Days to keep traces, logs and metrics; 0 keeps them forever.
retention_days = 30
max_cache_size = 1000
# Traces and metric samples stored per second at most under load (failed traces have an
# allowance of their own); the live metrics count everything. 0: no limit.
max_persisted_per_second = 200
enable_metrics = true
enable_logs = true
enable_traces = true

# Where state.kv keeps what every handler shares. Module variables live per isolate (each Worker,
# edge process and instance has its own): keep shared data in state.kv.
[state]
# denokv (default: a file every process of this machine shares), memory (one process only),
# nats (JetStream key-value, many instances) or postgres (a table, many instances).
# ROHAS_STATE_TYPE, ROHAS_STATE_PATH and ROHAS_STATE_URL override these keys.
# type = "denokv"
# The denokv file, relative to the project root unless absolute.
# path = ".rohas/state.kv"
# A server: a remote Deno KV (https://...), NATS (nats://...) or PostgreSQL (postgres://...).
# url = ""

[workbench]
# Needed for the workbench API from other machines; loopback works without one in dev.
# rohas start --workbench refuses to start without one.
# The environment variable ROHAS_WORKBENCH_API_KEY overrides it.
# api_key = ""
# Origins allowed to call the workbench API; empty allows any.
allowed_origins = []
# Host names the workbench answers to besides localhost, IP addresses and [server] host
# (a DNS-rebinding page cannot reach it); "name" allows any port, "name:port" one.
allowed_hosts = []

[permissions]
# Deno permissions of TypeScript handler Workers: true, false, or a list of values.
net = true
read = ["."]
write = false
env = false
run = false
ffi = false
sys = false
import = true

# Overrides for one handler (its schema name), for example:
# [permissions.handlers.send_welcome_email]
# env = ["SMTP_HOST"]

[runtime.python]
# The python3 used to find libpython and site-packages.
executable = "python3"
# Path of libpython; found through the executable when absent (ROHAS_PYTHON_LIB overrides it).
# library = "/usr/lib/x86_64-linux-gnu/libpython3.11.so"

[log]
# error, warn, info, debug or trace (ROHAS_LOG and --log-level override it): what the terminal
# prints and telemetry keeps.
level = "info"
`;
}
