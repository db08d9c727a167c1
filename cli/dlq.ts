/**
 * `rohas dlq list [topic] [--json]` and `rohas dlq replay <topic> (--id <id>... | --all)`: lists
 * and replays dead letters (docs/design.md#d9-event-delivery). A durable adapter (rocksdb, denokv,
 * nats, rabbitmq, kafka, sqs) is opened directly from the project's config; the memory adapter
 * lives only inside the running engine, so for it the command talks to that engine's workbench API
 * (`GET /api/workbench/dead-letters`, `POST /api/workbench/dead-letters/replay`) at `[server]
 * host:port` (or `--url`) with `[workbench] api_key` / `ROHAS_WORKBENCH_API_KEY`, after checking
 * (`GET /api/workbench/snapshot`) that the engine serves this project. A durable adapter that
 * cannot be opened (an embedded store locked by the running engine) falls back to the same.
 *
 * A dead letter of group `*` (`PUBLISH_GROUP`) is a publish that failed (a delayed publish the
 * schema refused when it came due): listed as `group * (publish: every handler)`, and replayed
 * as a publish, to every handler of its event.
 *
 * @module
 */

import { type CliIo, CliUsageError, type CommandRun, type ParsedArgs } from "./command.ts";
import type { DLQ } from "./commands.ts";
import type { Adapter } from "../adapters/mod.ts";
import {
  createAdapter,
  type DeadLetterJson,
  deadLetterJson,
  PUBLISH_GROUP,
} from "../adapters/mod.ts";
import { findProject, loadConfig } from "../project/mod.ts";
import type { RohasConfig } from "../project/mod.ts";
import { RohasError } from "../errors.ts";
import { EventBus, type PayloadCheck, payloadCheck } from "../engine/events/mod.ts";
import { parseDirectory } from "../parser/mod.ts";
import { compileValidators } from "../codegen/mod.ts";

/** One dead letter as printed with `--json`: the workbench API's shape. */
export type DeadLetterView = DeadLetterJson;

/** Where dead letters are read and replayed: a durable adapter, or the running engine. */
interface DeadLetterSource {
  /** For messages: `the rocksdb adapter`, `the engine at http://...`. */
  readonly name: string;
  list(topic?: string): Promise<DeadLetterView[]>;
  replay(topic: string, ids?: string[]): Promise<number>;
  close(): Promise<void>;
}

/** A failure the command reports as `Error: <message>` and exit code 1. */
class DlqCommandError extends RohasError {
  override name = "DlqCommandError";
}

type Parsed =
  | { action: "list"; topic?: string; json: boolean; project: string; url?: string }
  | { action: "replay"; topic: string; ids?: string[]; project: string; url?: string };

/** The dlq request from the parsed line; a contradiction throws CliUsageError (exit code 2). */
function parse({ values, args, project }: ParsedArgs<typeof DLQ>): Parsed {
  const common = {
    project: project ?? ".",
    ...(values.url === undefined ? {} : { url: values.url.replace(/\/+$/, "") }),
  };
  const topic = args.topic === undefined ? undefined : baseTopic(args.topic);
  // The parser checked that the action is "list" or "replay".
  if (args.action === "list") {
    if (values.id || values.all) throw new CliUsageError(`--id and --all belong to "replay"`);
    return { action: "list", json: values.json ?? false, ...(topic ? { topic } : {}), ...common };
  }
  if (topic === undefined) throw new CliUsageError(`Missing argument <topic> of "replay"`);
  const ids = values.id;
  if ((ids === undefined) === (values.all !== true)) {
    throw new CliUsageError("Expected either --all or one or more --id <id>");
  }
  return { action: "replay", topic, ...(ids ? { ids } : {}), ...common };
}

/** `UserCreated.dlq` names the same dead letters as `UserCreated`. */
function baseTopic(topic: string): string {
  return topic.endsWith(".dlq") ? topic.slice(0, -".dlq".length) : topic;
}

async function adapterSource(
  config: RohasConfig,
  location: { root: string; schemaDir: string },
): Promise<DeadLetterSource> {
  const name = `the ${config.adapter.type} adapter`;
  let adapter: Adapter;
  try {
    adapter = await createAdapter(config.adapter, {
      projectRoot: location.root,
      service: config.project.name,
    });
    await adapter.start();
  } catch (error) {
    throw new DlqCommandError(`Cannot open ${name}: ${messageOf(error)}`);
  }
  // Through a bus, so a replay checks each payload against today's schema like a publish does.
  const bus = new EventBus(adapter, { checkPayloads: await schemaCheck(location.schemaDir) });
  return {
    name,
    list: async (topic) => (await bus.listDeadLetters(topic)).map(deadLetterJson),
    replay: (topic, ids) => bus.replayDeadLetters(topic, ids ? { ids } : {}),
    close: () => bus.close(),
  };
}

/** The payload check of the project's schema as it is now. */
async function schemaCheck(schemaDir: string): Promise<PayloadCheck> {
  const { schema } = await parseDirectory(schemaDir);
  const events = schema.events.map((e) => ({ event: e.name, payloadType: e.payload }));
  return payloadCheck({ events, validators: compileValidators(schema) });
}

/** The engine's own URL from `[server] host:port`; wildcard hosts are reached on loopback. */
function engineUrl(config: RohasConfig): string {
  const host = config.server.host;
  if (host === "0.0.0.0" || host === "") return `http://127.0.0.1:${config.server.port}`;
  if (host === "::" || host === "[::]") return `http://[::1]:${config.server.port}`;
  const literal = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `http://${literal}:${config.server.port}`;
}

/** The running engine's workbench API, for the project at `root`. */
interface EngineSource extends DeadLetterSource {
  /** Checks that an engine answers at the URL and serves this project. */
  connect(): Promise<void>;
}

function engineSource(config: RohasConfig, url: string, root: string): EngineSource {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (config.workbench.api_key !== "") headers["x-api-key"] = config.workbench.api_key;
  const call = async (path: string, init: RequestInit = {}): Promise<unknown> => {
    let response: Response;
    try {
      response = await fetch(`${url}/api/workbench/${path}`, { ...init, headers });
    } catch {
      throw new DlqCommandError(
        `No engine is running at ${url}: start it with rohas dev, or use a durable adapter`,
      );
    }
    const body = await response.json().catch(() => null) as { error?: unknown } | null;
    if (response.ok) return body;
    throw new DlqCommandError(engineRefusal(url, response.status, body?.error));
  };
  return {
    name: `the engine at ${url}`,
    async connect() {
      const served = (await call("snapshot") as { root?: unknown } | null)?.root;
      if (typeof served === "string" && !(await sameDirectory(served, root))) {
        throw new DlqCommandError(
          `The engine at ${url} serves another project ("${served}"): pass --url of this project's engine`,
        );
      }
    },
    list: (topic) =>
      call(`dead-letters${topic ? `?topic=${encodeURIComponent(topic)}` : ""}`) as Promise<
        DeadLetterView[]
      >,
    replay: async (topic, ids) => {
      const body = JSON.stringify({ topic, ...(ids ? { ids } : {}) });
      const result = await call("dead-letters/replay", { method: "POST", body });
      return (result as { replayed: number }).replayed;
    },
    close: () => Promise.resolve(),
  };
}

async function sameDirectory(a: string, b: string): Promise<boolean> {
  const real = (path: string) => Deno.realPath(path).catch(() => path);
  return await real(a) === await real(b);
}

function engineRefusal(url: string, status: number, error: unknown): string {
  const detail = typeof error === "string" ? error : `status ${status}`;
  switch (status) {
    case 401:
    case 403:
      return `The engine at ${url} refused the workbench API: ${detail}: ` +
        `set [workbench] api_key or ROHAS_WORKBENCH_API_KEY to the engine's key`;
    case 404:
      return `The engine at ${url} does not serve the workbench API: ` +
        `start it with rohas dev (without --no-workbench) or rohas start --workbench`;
    case 501:
      return `The engine at ${url} has no event bus: ${detail}`;
    default:
      return `The engine at ${url} answered ${status}: ${detail}`;
  }
}

function printList(letters: DeadLetterView[], parsed: { topic?: string; json: boolean }): string {
  if (parsed.json) return JSON.stringify(letters, null, 2) + "\n";
  const where = parsed.topic ? ` of "${parsed.topic}"` : "";
  if (letters.length === 0) return `No dead letters${where}\n`;
  const lines: string[] = [];
  for (const d of letters) {
    const group = d.group === PUBLISH_GROUP ? `${d.group} (publish: every handler)` : d.group;
    lines.push(`${d.failed_at}  ${d.topic}  group ${group}  id ${d.id}  attempt ${d.attempt}`);
    lines.push(`    error: ${d.error}`);
    lines.push(`    payload: ${truncate(JSON.stringify(d.payload) ?? "null", 200)}`);
  }
  const count = `${letters.length} dead letter${letters.length === 1 ? "" : "s"}${where}`;
  return lines.join("\n") + `\n${count}\n`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The memory adapter: the running engine. A durable adapter: opened directly; when that fails (an
 * embedded store such as rocksdb is locked by the engine using it), the running engine of this
 * project if it serves the workbench API.
 */
async function openSource(parsed: Parsed, io: CliIo): Promise<DeadLetterSource> {
  const location = await findProject(parsed.project, { cwd: io.cwd });
  const { config } = await loadConfig(location.root);
  const engine = engineSource(config, parsed.url ?? engineUrl(config), location.root);
  if (config.adapter.type === "memory") {
    await engine.connect();
    return engine;
  }
  try {
    return await adapterSource(config, location);
  } catch (error) {
    const reached = await engine.connect().then(() => true, () => false);
    if (reached) return engine;
    throw new DlqCommandError(
      `${messageOf(error)}; no engine of this project with the workbench API answers at ` +
        `${parsed.url ?? engineUrl(config)} either`,
    );
  }
}

async function execute(parsed: Parsed, io: CliIo): Promise<number> {
  const source = await openSource(parsed, io);
  try {
    if (parsed.action === "list") {
      io.stdout(printList(await source.list(parsed.topic), parsed));
      return 0;
    }
    const replayed = await source.replay(parsed.topic, parsed.ids);
    const noun = `dead letter${replayed === 1 ? "" : "s"}`;
    io.stdout(`Replayed ${replayed} ${noun} of "${parsed.topic}" through ${source.name}\n`);
    const missing = (parsed.ids?.length ?? 0) - replayed;
    if (parsed.ids && missing > 0) {
      io.stderr(`Error: ${missing} of the given ids are not dead letters of "${parsed.topic}"\n`);
      return 1;
    }
    return 0;
  } finally {
    await source.close();
  }
}

/** Runs `rohas dlq list|replay`. */
export const run: CommandRun<typeof DLQ> = async (parsed, io) => await execute(parse(parsed), io);
