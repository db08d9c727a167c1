/**
 * The `.ro` schema language: AST, parser, diagnostics and validation.
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
  Event,
  EventAdapterType,
  Field,
  FieldType,
  FlowControlKey,
  FlowControls,
  HttpMethod,
  Input,
  Model,
  NodeLocation,
  PrimitiveTypeName,
  RateControl,
  Schema,
  SchemaLocations,
  Span,
  TypeDef,
  WebSocket,
} from "./ast.ts";
export { emptySchema, FLOW_CONTROL_KEYS, HTTP_METHODS } from "./ast.ts";
export type { Diagnostic, Severity } from "./diagnostic.ts";
export { compareDiagnostics, diagnosticAt } from "./diagnostic.ts";
export type { ValidateOptions, ValidationCode } from "./validate.ts";
export { validateSchema, VALIDATION_CODES } from "./validate.ts";
export { checkSchema } from "./check_schema.ts";
export type { ParseOptions, ParseResult, SourceFile } from "./parse.ts";
export { parseFiles, parseSchema } from "./parse.ts";
export type { ParseDirectoryResult } from "./parse_directory.ts";
export { parseDirectory } from "./parse_directory.ts";
export { schemaToJson, schemaToPlain } from "./schema_json.ts";
export { camelCase, pascalCase, snakeCase } from "./names.ts";
export type { ParseCode } from "./codes.ts";
export { PARSE_CODES } from "./codes.ts";
