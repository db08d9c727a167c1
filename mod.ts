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
 * import { parseSchema, validateSchema } from "./mod.ts";
 *
 * const { schema, diagnostics, locations } = parseSchema(
 *   'model User { id Int }\napi GetUser { method: GET path: "/users/{id}" response: User }\n',
 *   { file: "app.ro" },
 * );
 * const problems = [...diagnostics, ...validateSchema(schema, { locations })];
 * if (!(schema.apis[0]?.name === "GetUser")) throw new Error("Example failed");
 * if (!(problems.every((d) => d.severity !== "error"))) throw new Error("Example failed");
 * ```
 *
 * @module
 */

export type {
  Api,
  Attribute,
  Cron,
  Definition,
  DefinitionKind,
  Diagnostic,
  Event,
  EventAdapterType,
  Field,
  FieldType,
  HttpMethod,
  Input,
  Model,
  NodeLocation,
  ParseCode,
  ParseDirectoryResult,
  ParseOptions,
  ParseResult,
  PrimitiveTypeName,
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
export { createApp, createEngine, HandlerResolutionError } from "./engine/mod.ts";
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
