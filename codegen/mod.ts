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
} from "./_validators.ts";
export { type OutputLocation, resolveOutput } from "./project_root.ts";
export { CodegenError } from "./errors.ts";
export { type InitOptions, initProjectFiles } from "./init_project.ts";
