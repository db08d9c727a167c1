/**
 * Code generation: typed TypeScript and Python from a schema, handler stubs, project files, and the
 * request validators the engine compiles at start-up.
 *
 * @module
 */

export {
  type CodegenLanguage,
  DEFAULT_CLI,
  type FileOwner,
  type FrameworkSource,
  type GeneratedFile,
  type GenerateOptions,
  generateProject,
} from "./generate_project.ts";
export { type WriteOptions, writeProject, type WriteSummary } from "./write_project.ts";
export {
  compileValidators,
  type ValidationIssue,
  type Validator,
  type ValidatorTable,
} from "./validators.ts";
export { unknownFieldsKey } from "./_unknown_fields.ts";
export { type OutputLocation, resolveOutput } from "./project_root.ts";
export { CodegenError } from "./errors.ts";
export { type InitOptions, initProjectFiles } from "./init_project.ts";

// For the generators of other folders (contract documents and clients): the same type index, names,
// printer layer and type mapping as the project's own generated code.
export { byText, SchemaIndex, type TypeRef } from "./_schema_index.ts";
export { camel, pascal, pathParams, pyDoc, snake, tsDoc, tsKey } from "./_names.ts";
export { CodeWriter } from "./_writer.ts";
export { TS_HEADER, TsModule } from "./_ts_module.ts";
export { PY_HEADER, PyModule } from "./_py_module.ts";
export {
  fieldJsonSchema,
  type JsonSchema,
  namedJsonSchema,
  type NamedSchema,
  objectJsonSchema,
  PRIMITIVE_JSON_SCHEMA,
} from "./_json_schema.ts";
