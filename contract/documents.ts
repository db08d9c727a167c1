/**
 * Both documents of a project from its schema and resolved config: what `rohas codegen --openapi
 * --asyncapi` writes and what the engine serves at `/_rohas/openapi.json` and `/_rohas/asyncapi.json`.
 *
 * @module
 */

import type { Schema } from "../parser/mod.ts";
import type { RohasConfig } from "../project/mod.ts";
import { openApiDocument } from "./openapi.ts";
import { asyncApiDocument } from "./asyncapi.ts";

/** The part of the config the documents read. */
export type DocumentConfig = {
  project: Pick<RohasConfig["project"], "name" | "version">;
  adapter: Pick<RohasConfig["adapter"], "type" | "settings">;
};

/** The OpenAPI document of a project.
 *
 * @param schema the parsed, valid schema
 * @param config the project's config
 * @returns the OpenAPI 3.1 document
 */
export function projectOpenApi(schema: Schema, config: DocumentConfig): Record<string, unknown> {
  return openApiDocument(schema, { title: config.project.name, version: config.project.version });
}

/** The AsyncAPI document of a project, channels named by its adapter.
 *
 * @param schema the parsed, valid schema
 * @param config the project's config
 * @returns the AsyncAPI 3.0 document
 */
export function projectAsyncApi(schema: Schema, config: DocumentConfig): Record<string, unknown> {
  return asyncApiDocument(schema, {
    title: config.project.name,
    version: config.project.version,
    adapter: config.adapter.type,
    settings: config.adapter.settings,
  });
}
