/**
 * The engine: register (schema and config become an application model), build (a router, dispatch
 * tables, schedules), run (the HTTP pipeline, event and cron wiring, WebSockets); the one start-up
 * flow {@linkcode assemble} every entry point uses, and the in-process mode {@linkcode createApp}.
 *
 * @module
 */

export type {
  AppModel,
  BuildAppModelOptions,
  EventSpec,
  PathSegment,
  QueryField,
  RouteSpec,
  ScheduleSpec,
  SingleHandlerOptions,
  SocketSpec,
  SubscriptionControls,
  SubscriptionSpec,
} from "./app_model.ts";
export { buildAppModel, handlerRefsOf, parsePattern, singleHandlerModel } from "./app_model.ts";
export type { BuiltApp, Endpoint } from "./build.ts";
export { buildApp } from "./build.ts";
export type { RouteMatch, Router } from "./router.ts";
export { TrieRouter } from "./router.ts";
export type { Engine, EngineOptions, ServeOptions, ShutdownReport } from "./app.ts";
export type { LastingServer } from "./_lasting_server.ts";
export { createEngine } from "./app.ts";
export type {
  AssembleOptions,
  Assembly,
  EventsChoice,
  ListenChoice,
  Listening,
  MountContext,
  ProjectSource,
  RuntimeChoice,
  StateChoice,
  TelemetryChoice,
} from "./assemble.ts";
export { assemble } from "./assemble.ts";
export type { App, CreateAppOptions } from "./create_app.ts";
export { createApp } from "./create_app.ts";
export type { CompositeRuntimeOptions } from "./composite_runtime.ts";
export { createCompositeRuntime } from "./composite_runtime.ts";
export type {
  EngineMode,
  EngineParts,
  EventPublisher,
  PublishOptions,
  PublishTiming,
  SeriesItem,
  SeriesOutcome,
  ValidationIssue,
  Validator,
  ValidatorTable,
} from "./parts.ts";
export type { MatchedRoute, Mount, RequestHandler, RequestInfo } from "./http_pipeline.ts";
export type { PlanOptions, Publication, TriggerSource } from "./triggers.ts";
export type { DelayedEvents, DeliveryRunner } from "./delayed/mod.ts";
export { planTriggers, publishTriggers, unwrapResult } from "./triggers.ts";
export type { CronOutcome, CronScheduler } from "./cron_wiring.ts";
export { runCronJob } from "./cron_wiring.ts";
export type { Closable, EventSubscriber } from "./event_wiring.ts";
export { flowConformance, type FlowConformanceOptions } from "./flow_conformance.ts";
export { SocketHub, type SocketHubOptions } from "./socket_hub.ts";
export type {
  LocalSockets,
  SocketBus,
  SocketFanoutOptions,
  SocketMessage,
  SocketRoute,
} from "./socket_fanout.ts";
export { SocketFanout, SOCKETS_TOPIC, SocketTargetError } from "./socket_fanout.ts";
export type { ServedProject, ServeEvent, ServeProjectOptions } from "./serve_project.ts";
export { serveProject } from "./serve_project.ts";
export { createProjectRuntime, type ProjectRuntime } from "./project_runtime.ts";
export { DEAD_LETTER_SPAN, HANDLER_FAILURE_SPAN, MIDDLEWARE_REJECTION_SPAN } from "./_invoke.ts";
export type { PreparedApp, PrepareFailure, PrepareOptions } from "./project_loader.ts";
export { prepareApp } from "./project_loader.ts";
export { findOrphanHandlers, ORPHAN_HANDLER_CODE } from "./orphan_handlers.ts";
export type { MissingHandler } from "./errors.ts";
export type {
  ConnectionInfo,
  Effect,
  EventInput,
  HandlerKind,
  HandlerLanguage,
  HandlerManifest,
  HandlerOutput,
  HandlerRef,
  HandlerRuntime,
  Invocation,
  InvocationInput,
  InvocationResult,
  LogLevel,
  MiddlewareContext,
  SerializedError,
} from "./runtime/mod.ts";
// A type only: importing it loads no Python runtime.
export type { PythonRestart } from "./runtime/python/mod.ts";
export {
  CronRunError,
  EngineError,
  HandlerFailure,
  HandlerResolutionError,
  RouteConflictError,
  ServeError,
  StartupCleanupError,
} from "./errors.ts";

// Types the engine's own types refer to, so this door alone describes its public surface.
export type { RohasError } from "../errors.ts";
export type {
  Api,
  Attribute,
  Cron,
  Diagnostic,
  Event,
  EventAdapterType,
  Field,
  FieldType,
  HTTP_METHODS,
  HttpMethod,
  Input,
  Model,
  PrimitiveTypeName,
  Schema,
  Severity,
  TypeDef,
  WebSocket,
} from "../parser/mod.ts";
export type {
  AdapterSection,
  PermissionSet,
  PermissionsSection,
  PermissionValue,
  ProjectLanguage,
  ProjectSection,
  PythonRuntimeSection,
  RohasConfig,
  ServerSection,
  TelemetrySection,
  WorkbenchSection,
} from "../project/mod.ts";
export type {
  ActiveTrace,
  EntryType,
  LogEntry,
  MetricKind,
  MetricSample,
  StartTraceOptions,
  Telemetry,
  TelemetryStore,
  TraceStep,
  TriggeredEventRecord,
} from "../telemetry/mod.ts";
export type {
  Adapter,
  DeadLetter,
  EnvelopeMetadata,
  EventEnvelope,
  ReplayOptions,
  Subscription,
} from "../adapters/mod.ts";
export type {
  BusSubscribeOptions,
  EventBus,
  EventHandler,
  PublishOptions as BusPublishOptions,
  RetryPolicy,
} from "./events/mod.ts";
