/**
 * Rohas for Deno: event-driven, schema-driven backends. The library entry of `@rohas/cli`.
 *
 * - Parse and check a schema: {@linkcode parseSchema}, {@linkcode parseDirectory},
 *   {@linkcode validateSchema}.
 * - Find a project and read its `config/rohas.toml`: {@linkcode findProject},
 *   {@linkcode loadConfig}.
 * - Generate typed code: {@linkcode generateProject}, {@linkcode writeProject},
 *   {@linkcode compileValidators}.
 * - Serve a project in-process: {@linkcode createApp}.
 *
 * @example Parse and validate a schema
 * ```ts
 * import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
 * import { parseSchema, validateSchema } from "./mod.ts";
 *
 * const { schema, diagnostics, locations } = parseSchema(
 *   'model User { id Int }\napi GetUser { method: GET path: "/users/{id}" response: User }\n',
 *   { file: "app.ro" },
 * );
 * const problems = [...diagnostics, ...validateSchema(schema, { locations })];
 * assertEquals(schema.apis[0]?.name, "GetUser");
 * assert(problems.every((d) => d.severity !== "error"));
 * ```
 *
 * @module
 */

export type {
  Api,
  Attribute,
  BatchControl,
  ConcurrencyControl,
  Cron,
  DebounceControl,
  DebounceEdge,
  Definition,
  DefinitionKind,
  Diagnostic,
  Event,
  EventAdapterType,
  Field,
  FieldType,
  FlowControls,
  HttpMethod,
  Input,
  Model,
  NodeLocation,
  ParseCode,
  ParseDirectoryResult,
  ParseOptions,
  ParseResult,
  PrimitiveTypeName,
  RateControl,
  Schema,
  SchemaLocations,
  Severity,
  SourceFile,
  Span,
  TypeDef,
  ValidateOptions,
  ValidationCode,
  WebSocket,
} from "./parser/mod.ts";
export {
  compareDiagnostics,
  diagnosticAt,
  emptySchema,
  HTTP_METHODS,
  PARSE_CODES,
  parseDirectory,
  parseFiles,
  parseSchema,
  schemaToJson,
  schemaToPlain,
  snakeCase,
  validateSchema,
  VALIDATION_CODES,
} from "./parser/mod.ts";

export type {
  AdapterSection,
  ConfigErrorOptions,
  FindProjectOptions,
  LoadConfigOptions,
  ParseConfigOptions,
  PermissionSet,
  PermissionsSection,
  PermissionValue,
  ProjectLanguage,
  ProjectLocation,
  ProjectSection,
  PythonRuntimeSection,
  RohasConfig,
  ServerSection,
  StateSection,
  TelemetrySection,
  WorkbenchSection,
} from "./project/mod.ts";
export {
  ConfigError,
  findProject,
  loadConfig,
  parseConfig,
  ProjectNotFoundError,
} from "./project/mod.ts";

export type {
  CodegenLanguage,
  FileOwner,
  FrameworkSource,
  GeneratedFile,
  GenerateOptions,
  ValidationIssue,
  Validator,
  ValidatorTable,
  WriteOptions,
  WriteSummary,
} from "./codegen/mod.ts";
export { CodegenError, compileValidators, generateProject, writeProject } from "./codegen/mod.ts";

export { RohasError } from "./errors.ts";
export { createApp, createEngine, EngineError, HandlerResolutionError } from "./engine/mod.ts";
export type {
  App,
  CreateAppOptions,
  Engine,
  EngineMode,
  EngineOptions,
  MissingHandler,
  RequestHandler,
  ServeOptions,
} from "./engine/mod.ts";
// What the options and results of createEngine and createApp refer to, so that a reader of
// the documentation can follow every type.
export type {
  ActiveTrace,
  AppModel,
  BusSubscribeOptions,
  Closable,
  ConnectionInfo,
  CronOutcome,
  CronScheduler,
  DeadLetter,
  DelayedEvents,
  DeliveryRunner,
  Effect,
  EntryType,
  EnvelopeMetadata,
  EventEnvelope,
  EventInput,
  EventSpec,
  EventSubscriber,
  HandlerKind,
  HandlerLanguage,
  HandlerManifest,
  HandlerOutput,
  HandlerRef,
  HandlerRuntime,
  Invocation,
  InvocationInput,
  InvocationResult,
  LastingServer,
  LogEntry,
  LogLevel,
  MatchedRoute,
  MetricKind,
  MetricSample,
  MiddlewareContext,
  Mount,
  PathSegment,
  PublishOptions,
  PublishTiming,
  QueryField,
  ReplayOptions,
  RequestInfo,
  RouteSpec,
  ScheduleSpec,
  SerializedError,
  SeriesItem,
  SeriesOutcome,
  ShutdownReport,
  SocketFanout,
  SocketHub,
  SocketHubOptions,
  SocketMessage,
  SocketRoute,
  SocketSpec,
  StartTraceOptions,
  Subscription,
  SubscriptionControls,
  SubscriptionSpec,
  TraceStep,
  TriggeredEventRecord,
} from "./engine/mod.ts";
export type { RuntimePayloads } from "./engine/runtime/mod.ts";
export type { PayloadCheck, PayloadIssue, PayloadRefusal } from "./engine/events/mod.ts";
export type {
  Adapter,
  AdapterGuarantees,
  Delivery,
  DeliveryHandler,
  SubscribeOptions,
} from "./adapters/mod.ts";
export type {
  LogQuery,
  SampleQuery,
  Telemetry,
  TelemetryStore,
  TraceQuery,
  TraceRecord,
  TraceStatus,
} from "./telemetry/mod.ts";
export { STATE_TYPES } from "./project/mod.ts";
export type {
  Kv,
  KvAtomic,
  KvCheck,
  KvCommitResult,
  KvEntry,
  KvEntryMaybe,
  KvKey,
  KvKeyPart,
  KvListOptions,
  KvSetOptions,
} from "./state/mod.ts";
export { KvInputError, KvUnsupportedError, StateError } from "./state/mod.ts";

// `deno run -A jsr:@rohas/cli <command>` runs this module, the package's default export: it is the
// CLI then. Imported as a library, it loads nothing of the CLI.
if (import.meta.main) {
  const { runFromTerminal } = await import("./cli.ts");
  Deno.exit(await runFromTerminal());
}
