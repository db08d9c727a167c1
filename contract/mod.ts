/**
 * The schema as a contract for others: OpenAPI 3.1 and AsyncAPI 3.0 documents, typed TypeScript
 * and Python clients, and the breaking-change check between two versions of a schema. Every
 * generator is pure: the same schema gives the same bytes.
 *
 * @module
 */

export { openApiDocument, openApiPath } from "./openapi.ts";
export { asyncApiDocument, type AsyncApiOptions } from "./asyncapi.ts";
export type { DocumentInfo } from "./_components.ts";
export { type ChannelNames, channelNames } from "./_channels.ts";
export { documentText } from "./_json.ts";
export { tsClient } from "./client_ts.ts";
export { pyClient } from "./client_py.ts";
export { type DocumentConfig, projectAsyncApi, projectOpenApi } from "./documents.ts";
export {
  type ChangePosition,
  type ChangeSeverity,
  diffSchemas,
  type SchemaChange,
  type SchemaVersion,
} from "./diff.ts";
