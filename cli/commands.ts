/**
 * Every `rohas` command, declared as data: its arguments, options, help texts and the module that
 * runs it. The dispatcher parses and prints help from these declarations without loading the
 * command's module, so `rohas --help` or a usage error loads no engine and downloads nothing.
 * Add a command: one declaration here, one module exporting `run`.
 *
 * @module
 */

import type { CommandSpec } from "./_args.ts";

/** `rohas codegen`. */
export const CODEGEN = {
  name: "codegen",
  summary: "Generate typed code and handler stubs from the schema",
  description:
    `Validates the schema, then writes typed code under <output>/generated/ (rewritten every run,
stale files deleted), handler and middleware stubs (created once, never overwritten) and project
files.

With --client, --openapi or --asyncapi it writes, instead of the project's code, what the
project's callers use: a standalone client and the API documents.`,
  positionals: [],
  project: true,
  options: {
    schema: {
      type: "string",
      short: "s",
      value: "<path>",
      description: "The schema directory or .ro file (default: the project's schema/)",
    },
    output: {
      type: "string",
      short: "o",
      value: "<path>",
      description: "The output directory (default: <project>/src)",
    },
    lang: {
      type: "string",
      short: "l",
      value: "<lang>",
      description: "typescript|ts or python|py (default: [project] language of config/rohas.toml)",
    },
    client: {
      type: "string",
      value: "<lang>",
      description:
        "Instead: a standalone client for the project's callers, ts (fetch only:\nDeno, Node, browsers) or python (pydantic, httpx, websockets), written as\n<out>/client.ts or <out>/client.py",
    },
    out: {
      type: "string",
      value: "<dir>",
      description: "The client's folder (default: <project>/client)",
    },
    openapi: {
      type: "string",
      value: "<file>",
      description: 'Instead: the OpenAPI 3.1 document of the APIs ("-" prints it)',
    },
    asyncapi: {
      type: "string",
      value: "<file>",
      description:
        'Instead: the AsyncAPI 3.0 document of the events and WebSockets ("-" prints it)',
    },
  },
  examples: [
    "codegen --lang python --output src",
    "codegen --client ts --openapi openapi.json --asyncapi asyncapi.json",
  ],
  module: "./codegen.ts",
} as const satisfies CommandSpec;

/** `rohas init`. */
export const INIT = {
  name: "init",
  summary: "Create a new project",
  description:
    `Creates the project <name>: an example schema, config/rohas.toml, example handlers, deno.json
with the tasks dev, start, codegen and validate, then runs codegen.`,
  positionals: [{ name: "name", required: true, description: "The directory to create" }],
  options: {
    lang: {
      type: "string",
      short: "l",
      value: "<lang>",
      description: "typescript|ts (default) or python|py",
    },
    example: {
      type: "string",
      short: "e",
      value: "<name>",
      choices: ["hello", "blank"],
      description: "hello (default: a model, APIs, an event, a cron, a WebSocket) or blank",
    },
    rohas: {
      type: "string",
      value: "<path|url>",
      description:
        "Run the CLI from this checkout or URL in the deno.json tasks\n(default: jsr:@rohas/cli)",
    },
  },
  examples: ["init app --lang python"],
  module: "./init.ts",
} as const satisfies CommandSpec;

/** `rohas version`. */
export const VERSION_COMMAND = {
  name: "version",
  summary: "Print the version",
  description: `Prints the Rohas version, as "rohas <version>".`,
  positionals: [],
  options: {},
  examples: ["version"],
  module: "./version.ts",
} as const satisfies CommandSpec;

/** `rohas validate`. */
export const VALIDATE = {
  name: "validate",
  summary: "Check the schema (and config) and report every problem with its position",
  description:
    `Parses the schema and checks it: syntax, duplicate names, undefined types and events,
paths and conflicting routes, cron expressions and time zones, handler names. Prints each
problem as file:line:col with the source line, then a summary. Also checks config/rohas.toml.
The path may also be a schema directory or one .ro file; without one, the project around the
working directory is checked.

Exit code: 0 when valid, 1 on errors (or warnings with --strict), 2 on bad arguments.`,
  positionals: [],
  project: true,
  options: {
    strict: {
      type: "boolean",
      description: "Fail on warnings too (an unused input, an event nothing handles...)",
    },
    json: {
      type: "boolean",
      description:
        `Print {"diagnostics": [...], "schema": {...}} as JSON instead of text\n(plus "config_error" when config/rohas.toml is broken)`,
    },
  },
  examples: ["validate examples/hello-world/schema --strict"],
  module: "./validate.ts",
} as const satisfies CommandSpec;

/** `rohas list-handlers`. */
export const LIST_HANDLERS = {
  name: "list-handlers",
  summary: "List the API, event, cron, WebSocket and middleware handlers of the schema",
  description:
    `Lists the handlers the schema needs: one per API, the event handlers, the cron jobs, the
WebSocket handlers and the middlewares with what each guards, in schema order (files sorted by
path). The path may also be a schema directory or one .ro file.`,
  positionals: [],
  project: true,
  options: {},
  examples: ["list-handlers examples/hello-world"],
  module: "./list_handlers.ts",
} as const satisfies CommandSpec;

/** `rohas list-events`. */
export const LIST_EVENTS = {
  name: "list-events",
  summary: "List the events of the schema with payloads, handlers and triggers",
  description: `Lists every event of the schema with its payload type, handlers and the events it
triggers, in schema order (files sorted by path). The path may also be a schema directory or
one .ro file.`,
  positionals: [],
  project: true,
  options: {},
  examples: ["list-events examples/hello-world"],
  module: "./list_events.ts",
} as const satisfies CommandSpec;

const PORT = {
  type: "integer",
  short: "p",
  value: "<N>",
  min: 0,
  max: 65535,
  description: "Listen on this port instead of [server] port (0 picks a free one)",
} as const;

const LOG_LEVEL = {
  type: "string",
  value: "<level>",
  choices: ["error", "warn", "info", "debug", "trace"],
  description: "Print logs of this level and above (default: [log] level or\nROHAS_LOG, else info)",
} as const;

const LOG_REQUESTS = {
  type: "boolean",
  description: "Print one line per API request",
} as const;

/** `rohas dev`. */
export const DEV = {
  name: "dev",
  summary: "Generate code, then serve the project with hot reload",
  description:
    `Runs codegen, validates the schema, builds the app and serves it on [server] host:port.
Edits to handlers are reloaded live; schema edits rebuild the routes without a restart.

The workbench (traces, logs, API tester, schema graph) is served at /_rohas/ unless
--no-workbench; loopback clients need no key in dev.

Every handler failure (API, event attempt, dead letter, cron, WebSocket) is printed with its
stack, trace id and, with the workbench, a link to the trace; so are state.logger lines.`,
  positionals: [],
  project: true,
  options: {
    port: PORT,
    "no-watch": { type: "boolean", description: "Do not watch files for changes" },
    "no-workbench": { type: "boolean", description: "Do not serve the workbench at /_rohas/" },
    workbench: { type: "boolean", description: "Serve the workbench (the default in dev)" },
    "log-level": LOG_LEVEL,
    "log-requests": LOG_REQUESTS,
  },
  examples: ["dev --port 8080 examples/hello-ts", "dev --no-workbench examples/hello-ts"],
  module: "./dev.ts",
} as const satisfies CommandSpec;

/** `rohas start`. */
export const START = {
  name: "start",
  summary: "Serve the project in production mode",
  description:
    `Validates the schema, builds the app and serves it on [server] host:port, without codegen or
file watching. Handler error messages are not shown to clients.

Handler failures, dead letters and state.logger lines are printed on stdout as JSON lines
({"time", "level", "kind", "message", "handler", "error", "stack", "trace_id", ...}).`,
  positionals: [],
  project: true,
  options: {
    port: PORT,
    workbench: {
      type: "boolean",
      description:
        "Serve the workbench; refuses to start without [workbench] api_key or\nROHAS_WORKBENCH_API_KEY (no loopback exception here)",
    },
    "log-level": LOG_LEVEL,
    "log-requests": LOG_REQUESTS,
  },
  examples: ["start --port 8080 examples/hello-ts"],
  module: "./start.ts",
} as const satisfies CommandSpec;

/** `rohas cron`. */
export const CRON = {
  name: "cron",
  summary: "Run a cron job now: rohas cron run <Name>",
  description:
    `Runs one cron job of the project now, publishes its triggers and waits until the events it
caused were handled. Exits 0 on success, 1 on failure.

The run is self-contained: its events go through the embedded memory adapter in this process,
whatever [adapter] names, so the command can tell when the ones the job caused were handled (on
the project's broker, running servers would compete for them, and their handlers would run there).`,
  positionals: [
    { name: "action", required: true, choices: ["run"], description: "run" },
    { name: "Name", required: true, description: "The cron job, as named in the schema" },
  ],
  project: true,
  options: {},
  examples: ["cron run Tick examples/hello-ts"],
  module: "./cron.ts",
} as const satisfies CommandSpec;

/** `rohas dlq`. */
export const DLQ = {
  name: "dlq",
  summary: "List and replay dead letters: rohas dlq list|replay",
  description:
    `Lists the events that exhausted their retries (or failed with NonRetriableError), newest first,
with the handler group and the last error; replays them to their handler group with attempt 1.
The project path comes after the topic; to list every topic of another project, use --project.

A durable adapter (rocksdb, denokv, nats, rabbitmq, kafka, sqs) is opened directly from
config/rohas.toml. The memory adapter lives inside the running engine only: the command then
asks that engine's workbench API (served by rohas dev, or rohas start --workbench) at [server] host:port, sending
[workbench] api_key (ROHAS_WORKBENCH_API_KEY) when one is set. So does a durable adapter that
cannot be opened because the running engine holds it (an embedded rocksdb store).

A replay checks each payload against its event's payload type in the schema as it is now, like a
publish: when one does not match, nothing is replayed and each refused id is named with its issues
(replay the others with --id).`,
  usage: [
    "dlq list [topic] [path] [--json] [--project <dir>] [--url <url>]",
    "dlq replay <topic> [path] (--id <id>... | --all) [--project <dir>] [--url <url>]",
  ],
  positionals: [
    { name: "action", required: true, choices: ["list", "replay"], description: "list or replay" },
    {
      name: "topic",
      description: "The event (UserCreated or UserCreated.dlq); required by replay",
    },
  ],
  project: true,
  options: {
    json: { type: "boolean", description: "Print the dead letters as JSON" },
    id: {
      type: "string",
      value: "<id>",
      multiple: true,
      description: "Replay this dead letter",
    },
    all: { type: "boolean", description: "Replay every dead letter of the topic" },
    url: {
      type: "string",
      value: "<url>",
      description: "The running engine, instead of http://[server] host:port",
    },
  },
  examples: ["dlq list UserCreated", "dlq replay UserCreated --all"],
  module: "./dlq.ts",
} as const satisfies CommandSpec;

/** `rohas delayed`. */
export const DELAYED = {
  name: "delayed",
  summary: "List the delayed events waiting: rohas delayed [event]",
  description:
    `Lists the delayed events waiting in the project's shared state, soonest first: events published
with state.triggerEvent(E, payload, { delay | at }) (handler "all": every handler of the event
gets them) and deliveries held for a handler's schema delay (on <handler> { delay: 10s }), with
their due time, key and state (waiting, or firing: an instance claimed it).

The [state] store of config/rohas.toml is read (denokv, nats, postgres): the one the running
instances share. The memory store lives inside one engine; its workbench shows them instead.`,
  usage: ["delayed [event] [path] [--json] [--project <dir>]"],
  positionals: [{ name: "event", description: "Only the delayed events of this event" }],
  project: true,
  options: {
    json: { type: "boolean", description: "Print the delayed events as JSON" },
  },
  examples: ["delayed", "delayed OrderReminder --json"],
  module: "./delayed.ts",
} as const satisfies CommandSpec;

/** `rohas diff`. */
export const DIFF = {
  name: "diff",
  summary: "Check a schema change for breaking changes (CI)",
  description:
    `Compares two versions of the schema and classifies each change as breaking or safe for API
callers, WebSocket clients, and event consumers and producers (removed route, new required
field, narrowed type, changed method, removed or retyped payload field, renamed event...).

<old> and [new] are each a project directory, a schema directory, or a git revision of the
project's schema folder (main, HEAD~1, v1.2.0). [new] defaults to the project in the working
directory.

Exit code: 0 when every change is safe, 1 when one is breaking, 2 when a version cannot be read
or the arguments are wrong.`,
  positionals: [
    { name: "old", required: true, description: "The version before the change" },
    { name: "new", description: "The version after it (default: the working directory)" },
  ],
  options: {
    json: { type: "boolean", description: "Print the changes as JSON" },
  },
  examples: [
    "diff main                 # the working tree's schema against branch main",
    "diff v1.0.0 HEAD --json   # two revisions, for CI",
    "diff ../old-checkout .",
  ],
  module: "./diff.ts",
} as const satisfies CommandSpec;

/**
 * The modules the declarations name. Type-only: `deno check cli.ts` checks them through this
 * line, while `deno run` loads each only when its command runs (see `loadCommand` in `main.ts`).
 */
export type CommandModules = [
  typeof import("./codegen.ts"),
  typeof import("./init.ts"),
  typeof import("./version.ts"),
  typeof import("./validate.ts"),
  typeof import("./list_handlers.ts"),
  typeof import("./list_events.ts"),
  typeof import("./dev.ts"),
  typeof import("./start.ts"),
  typeof import("./cron.ts"),
  typeof import("./dlq.ts"),
  typeof import("./delayed.ts"),
  typeof import("./diff.ts"),
];

/** Every command by name. A `Map`, so `constructor` or `__proto__` are not commands. */
export const COMMANDS: ReadonlyMap<string, CommandSpec> = new Map(
  [
    CODEGEN,
    INIT,
    VERSION_COMMAND,
    VALIDATE,
    LIST_HANDLERS,
    LIST_EVENTS,
    DEV,
    START,
    CRON,
    DLQ,
    DELAYED,
    DIFF,
  ].map((spec) => [spec.name, spec]),
);
