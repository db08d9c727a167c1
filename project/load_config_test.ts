import { deepStrictEqual as assertEquals, ok, throws } from "node:assert/strict";
import { join } from "node:path";
import type { RohasConfig } from "./config.ts";
import { ConfigError } from "./errors.ts";
import { loadConfig, parseConfig } from "./load_config.ts";

const FILE = "config/rohas.toml";

const DEFAULTS: RohasConfig = {
  project: { name: "rohas-app", version: "0.1.0", language: "typescript" },
  server: {
    host: "127.0.0.1",
    port: 3000,
    instance_id: "",
    enable_cors: true,
    max_body_bytes: 1048576,
    unknown_fields: "accept",
    handler_timeout_ms: 30000,
    shutdown_timeout_ms: 10000,
    workers: "auto",
  },
  adapter: {
    type: "memory",
    buffer_size: 1000,
    max_attempts: 5,
    backoff_ms: 500,
    max_backoff_ms: 60000,
    payload_checks: "refuse",
    settings: {},
  },
  telemetry: {
    type: "rocksdb",
    path: ".rohas/telemetry",
    retention_days: 30,
    max_cache_size: 1000,
    max_persisted_per_second: 200,
    enable_metrics: true,
    enable_logs: true,
    enable_traces: true,
    settings: {},
  },
  workbench: { api_key: "", allowed_origins: [], allowed_hosts: [] },
  state: { type: "denokv", path: ".rohas/state.kv", url: "" },
  permissions: {
    defaults: {
      net: true,
      read: ["."],
      write: false,
      env: false,
      run: false,
      ffi: false,
      sys: false,
      import: true,
    },
    handlers: {},
  },
  runtime: { python: { library: null, executable: "python3" } },
  log: { level: "info" },
};

/** The ConfigError a config text throws. */
function configError(text: string, env: Record<string, string> = {}): ConfigError {
  try {
    parseConfig(text, { file: FILE, env });
  } catch (error) {
    ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    return error;
  }
  throw new Error("expected parseConfig() to throw");
}

Deno.test("parseConfig() gives every key its default for an empty file", () => {
  assertEquals(parseConfig("", { file: FILE }), DEFAULTS);
});

Deno.test("parseConfig() uses the given project name when the file has none", () => {
  assertEquals(parseConfig("", { file: FILE, projectName: "shop" }).project.name, "shop");
});

Deno.test("parseConfig() reads the original's reference config from rohas init", () => {
  const text = `
[project]
name = "hello-world"
version = "0.2.0"
language = "Python"

[server]
host = "localhost"
port = 4400
enable_cors = false

[adapter]
type = "AWS"
buffer_size = 10
region = "eu-west-1"
aws_type = "eventbridge"

[telemetry]
type = "memory"
path = "/var/telemetry"
retention_days = 0
max_cache_size = 5
max_persisted_per_second = 0
enable_metrics = false
enable_logs = false
enable_traces = false

[workbench]
api_key = "FRmz/+AjTYCUFlBMio479A=="
allowed_origins = ["http://localhost:4401"]
allowed_hosts = ["rohas.example.com"]
`;
  const config = parseConfig(text, { file: FILE, projectName: "ignored" });
  assertEquals(config.project, { name: "hello-world", version: "0.2.0", language: "python" });
  assertEquals(config.server, {
    ...DEFAULTS.server,
    host: "localhost",
    port: 4400,
    enable_cors: false,
  });
  assertEquals(config.adapter, {
    ...DEFAULTS.adapter,
    type: "aws",
    buffer_size: 10,
    settings: { type: "AWS", buffer_size: 10, region: "eu-west-1", aws_type: "eventbridge" },
  });
  assertEquals(config.telemetry, {
    type: "memory",
    path: "/var/telemetry",
    retention_days: 0,
    max_cache_size: 5,
    max_persisted_per_second: 0,
    enable_metrics: false,
    enable_logs: false,
    enable_traces: false,
    settings: {
      type: "memory",
      path: "/var/telemetry",
      retention_days: 0,
      max_cache_size: 5,
      max_persisted_per_second: 0,
      enable_metrics: false,
      enable_logs: false,
      enable_traces: false,
    },
  });
  assertEquals(config.workbench, {
    api_key: "FRmz/+AjTYCUFlBMio479A==",
    allowed_origins: ["http://localhost:4401"],
    allowed_hosts: ["rohas.example.com"],
  });
});

Deno.test("parseConfig() reads this project's additions: limits, delivery policy, python, log", () => {
  const config = parseConfig(
    `
[server]
max_body_bytes = 10
handler_timeout_ms = 20
shutdown_timeout_ms = 0
[adapter]
type = "nats"
url = "nats://127.0.0.1:4222"
max_attempts = 2
backoff_ms = 0
max_backoff_ms = 100
[runtime.python]
library = "/usr/lib/libpython3.11.so"
executable = "/usr/bin/python3.11"
[log]
level = "debug"
`,
    { file: FILE },
  );
  assertEquals(
    [
      config.server.max_body_bytes,
      config.server.handler_timeout_ms,
      config.server.shutdown_timeout_ms,
    ],
    [10, 20, 0],
  );
  assertEquals(
    [
      config.adapter.type,
      config.adapter.max_attempts,
      config.adapter.backoff_ms,
      config.adapter.max_backoff_ms,
    ],
    ["nats", 2, 0, 100],
  );
  assertEquals(config.adapter.settings.url, "nats://127.0.0.1:4222");
  assertEquals(config.runtime.python, {
    library: "/usr/lib/libpython3.11.so",
    executable: "/usr/bin/python3.11",
  });
  assertEquals(config.log.level, "debug");
});

Deno.test("parseConfig() accepts every language spelling, case-insensitively", () => {
  const languages = ["typescript", "TS", "Python", "py"].map((language) =>
    parseConfig(`[project]\nlanguage = "${language}"`, { file: FILE }).project.language
  );
  assertEquals(languages, ["typescript", "typescript", "python", "python"]);
});

Deno.test("parseConfig() reads [permissions] defaults and per-handler partial overrides", () => {
  const config = parseConfig(
    `
[permissions]
write = ["./data"]
env = true
[permissions.handlers.send_welcome_email]
net = ["smtp.example.com:587"]
read = false
[permissions.handlers.backup]
run = ["tar"]
`,
    { file: FILE },
  );
  assertEquals(config.permissions, {
    defaults: { ...DEFAULTS.permissions.defaults, write: ["./data"], env: true },
    handlers: {
      backup: { run: ["tar"] },
      send_welcome_email: { net: ["smtp.example.com:587"], read: false },
    },
  });
});

Deno.test("parseConfig() rejects an unknown permission name and a wrong permission value", () => {
  assertEquals(
    configError("[permissions]\nnett = true").message,
    'Invalid config "config/rohas.toml": [permissions] nett is not a permission (net, read, write, env, run, ffi, sys, import), got true',
  );
  const handler = configError('[permissions.handlers.h]\nread = "yes"');
  assertEquals(
    handler.message,
    'Invalid config "config/rohas.toml": [permissions.handlers.h] read must be true, false or a list of strings, got "yes"',
  );
  assertEquals(handler.key, "permissions.handlers.h.read");
});

Deno.test("parseConfig() reports a TOML syntax error with file:line:col and the parser's detail", () => {
  const error = configError("[server]\nport = 3000\nhost = @\n");
  assertEquals([error.file, error.line, error.column, error.key], [FILE, 3, 8, null]);
  ok(error.message.startsWith("Invalid TOML at config/rohas.toml:3:8: "), error.message);
  ok(error.message.length > "Invalid TOML at config/rohas.toml:3:8: ".length);
  ok(!error.message.includes("\n"), "the detail is one line");
});

Deno.test("parseConfig() reports a wrong type with the key path and the value", () => {
  const cases: [string, string][] = [
    ['[server]\nport = "abc"', '[server] port must be an integer between 1 and 65535, got "abc"'],
    ["[server]\nport = 70000", "[server] port must be an integer between 1 and 65535, got 70000"],
    ["[server]\nport = 30.5", "[server] port must be an integer between 1 and 65535, got 30.5"],
    ['[server]\nenable_cors = "yes"', '[server] enable_cors must be true or false, got "yes"'],
    ["[server]\nhost = 127", "[server] host must be a string, got 127"],
    ["[adapter]\nbuffer_size = 0", "[adapter] buffer_size must be an integer of at least 1, got 0"],
    [
      "[telemetry]\nretention_days = -1",
      "[telemetry] retention_days must be an integer of at least 0, got -1",
    ],
    [
      '[workbench]\nallowed_origins = "*"',
      '[workbench] allowed_origins must be a list of strings, got "*"',
    ],
    ["server = 3", "server must be a table, got 3"],
    [
      '[log]\nlevel = "verbose"',
      '[log] level must be one of "error", "warn", "info", "debug", "trace", got "verbose"',
    ],
  ];
  for (const [text, detail] of cases) {
    assertEquals(configError(text).message, `Invalid config "config/rohas.toml": ${detail}`);
  }
  assertEquals(configError('[server]\nport = "abc"').key, "server.port");
});

Deno.test("parseConfig() rejects unknown adapter, telemetry and language values naming the accepted ones", () => {
  assertEquals(
    configError('[adapter]\ntype = "redis"').message,
    'Invalid config "config/rohas.toml": [adapter] type must be one of "memory", "rocksdb", "denokv", "nats", "rabbitmq", "kafka", "sqs", "aws", got "redis"',
  );
  assertEquals(
    configError('[adapter]\ntype = "aws"\naws_type = "sns"').message,
    'Invalid config "config/rohas.toml": [adapter] aws_type must be one of "sqs", "eventbridge", got "sns"',
  );
  assertEquals(
    configError('[telemetry]\ntype = "jsonl"').message,
    'Invalid config "config/rohas.toml": [telemetry] type must be one of "rocksdb", "memory", "prometheus", "influxdb", "timescaledb", got "jsonl"',
  );
  assertEquals(
    configError('[project]\nlanguage = "java"').message,
    'Invalid config "config/rohas.toml": [project] language must be one of "typescript", "ts", "python", "py", got "java"',
  );
  assertEquals(
    configError('[project]\nlanguage = "Rust"').message,
    'Invalid config "config/rohas.toml": [project] language "Rust" is not supported by Rohas for Deno: use "typescript" or "python"',
  );
});

Deno.test("parseConfig() applies every documented environment override", () => {
  const config = parseConfig('[workbench]\napi_key = "file-key"\nallowed_origins = ["a"]\n', {
    file: FILE,
    env: {
      ROHAS_WORKBENCH_API_KEY: "env-key",
      ROHAS_WORKBENCH_ALLOWED_ORIGINS: " http://a.test , ,http://b.test ",
      ROHAS_WORKBENCH_ALLOWED_HOSTS: "a.test, b.test:8443",
      ROHAS_LOG: "trace",
      ROHAS_PYTHON_LIB: "/opt/libpython3.12.so",
      PORT: "9999",
    },
  });
  assertEquals(config.workbench, {
    api_key: "env-key",
    allowed_origins: ["http://a.test", "http://b.test"],
    allowed_hosts: ["a.test", "b.test:8443"],
  });
  assertEquals(config.log.level, "trace");
  assertEquals(config.runtime.python.library, "/opt/libpython3.12.so");
  assertEquals(config.server.port, 3000, "PORT is not a documented override");
});

Deno.test("parseConfig() lets each instance from one checkout take its own port, host, id and telemetry store", () => {
  const config = parseConfig(
    '[server]\nport = 3000\ninstance_id = "web"\n[telemetry]\ntype = "timescaledb"\nurl = "postgres://a"\n',
    {
      file: FILE,
      env: {
        ROHAS_PORT: "3002",
        ROHAS_HOST: "0.0.0.0",
        ROHAS_INSTANCE_ID: "web-2",
        ROHAS_TELEMETRY_PATH: ".rohas/telemetry-2",
        ROHAS_TELEMETRY_URL: "postgres://b",
      },
    },
  );
  assertEquals(
    [config.server.port, config.server.host, config.server.instance_id],
    [3002, "0.0.0.0", "web-2"],
  );
  assertEquals([config.telemetry.path, config.telemetry.settings.url], [
    ".rohas/telemetry-2",
    "postgres://b",
  ]);
});

Deno.test("parseConfig() rejects a ROHAS_PORT that is not a port, naming the variable", () => {
  for (const port of ["80a", "0", "65536", "-1"]) {
    throws(
      () => parseConfig("", { file: FILE, env: { ROHAS_PORT: port } }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.message ===
          `Invalid config "config/rohas.toml (environment)": ROHAS_PORT must be an integer between 1 and 65535, got "${port}"`,
    );
  }
});

Deno.test("loadConfig() reads every variable CONFIG_ENV_VARS lists from the environment", async () => {
  const root = await Deno.makeTempDir();
  const names = ["ROHAS_PORT", "ROHAS_INSTANCE_ID", "ROHAS_WORKBENCH_ALLOWED_HOSTS"];
  const before = names.map((n) => Deno.env.get(n));
  Deno.env.set("ROHAS_PORT", "4567");
  Deno.env.set("ROHAS_INSTANCE_ID", "from-env");
  Deno.env.set("ROHAS_WORKBENCH_ALLOWED_HOSTS", "a.test");
  try {
    const { config } = await loadConfig(root);
    assertEquals(config.server.port, 4567);
    assertEquals(config.server.instance_id, "from-env");
    assertEquals(config.workbench.allowed_hosts, ["a.test"]);
  } finally {
    names.forEach((n, i) =>
      before[i] === undefined ? Deno.env.delete(n) : Deno.env.set(n, before[i]!)
    );
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("parseConfig() keeps the file's values when overrides are empty, except the origin list", () => {
  const config = parseConfig('[workbench]\napi_key = "file-key"\nallowed_origins = ["a"]\n', {
    file: FILE,
    env: { ROHAS_WORKBENCH_API_KEY: "", ROHAS_WORKBENCH_ALLOWED_ORIGINS: "" },
  });
  assertEquals(config.workbench, { api_key: "file-key", allowed_origins: [], allowed_hosts: [] });
});

Deno.test("parseConfig() rejects an unknown ROHAS_LOG level", () => {
  throws(
    () => parseConfig("", { file: FILE, env: { ROHAS_LOG: "loud" } }),
    (error: unknown) =>
      error instanceof ConfigError &&
      error.message ===
        'Invalid config "config/rohas.toml (environment)": ROHAS_LOG must be one of "error", "warn", "info", "debug", "trace", got "loud"',
  );
});

Deno.test("loadConfig() gives the defaults and no file when config/rohas.toml is missing", async () => {
  const root = await Deno.makeTempDir({ prefix: "my-shop-" });
  try {
    const { config, file } = await loadConfig(root, { env: {} });
    assertEquals(file, null);
    assertEquals(config, {
      ...DEFAULTS,
      project: { ...DEFAULTS.project, name: root.split("/").at(-1)! },
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("loadConfig() reads config/rohas.toml and names it in errors", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(root, "config"));
    const file = join(root, "config", "rohas.toml");
    await Deno.writeTextFile(file, "[server]\nport = 4400\n");
    const loaded = await loadConfig(root, { env: { ROHAS_LOG: "warn" } });
    assertEquals([loaded.file, loaded.config.server.port, loaded.config.log.level], [
      file,
      4400,
      "warn",
    ]);
    await Deno.writeTextFile(file, "[server]\nport = \n");
    await loadConfig(root, { env: {} }).then(
      () => {
        throw new Error("expected a ConfigError");
      },
      (error: unknown) => {
        ok(error instanceof ConfigError);
        ok(error.message.startsWith(`Invalid TOML at ${file}:2:8: `), error.message);
      },
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test('[server] workers is "auto" by default, a count, or an error naming the key', () => {
  assertEquals(parseConfig("", { file: "rohas.toml" }).server.workers, "auto");
  assertEquals(
    parseConfig('[server]\nworkers = "AUTO"\n', { file: "rohas.toml" }).server.workers,
    "auto",
  );
  assertEquals(parseConfig("[server]\nworkers = 3\n", { file: "rohas.toml" }).server.workers, 3);
  throws(() => parseConfig("[server]\nworkers = -1\n", { file: "rohas.toml" }), /workers/);
  throws(
    () => parseConfig('[server]\nworkers = "many"\n', { file: "rohas.toml" }),
    /workers/,
  );
});

Deno.test("parseConfig() reads [state] and its environment overrides", () => {
  const file = "rohas.toml";
  const text = '[state]\ntype = "postgres"\nurl = "postgres://a@127.0.0.1/x"\n';
  assertEquals(parseConfig(text, { file }).state, {
    type: "postgres",
    path: ".rohas/state.kv",
    url: "postgres://a@127.0.0.1/x",
  });
  const env = {
    ROHAS_STATE_TYPE: "nats",
    ROHAS_STATE_URL: "nats://127.0.0.1:1",
    ROHAS_STATE_PATH: "/tmp/s.kv",
  };
  assertEquals(parseConfig(text, { file, env }).state, {
    type: "nats",
    path: "/tmp/s.kv",
    url: "nats://127.0.0.1:1",
  });
  throws(() => parseConfig('[state]\ntype = "redis"\n', { file }), ConfigError);
});
