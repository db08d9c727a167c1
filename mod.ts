/**
 * Rohas for Deno: event-driven, schema-driven backends. The library entry of `@rohas/cli`.
 *
 * @module
 */

export * from "./parser/mod.ts";
export { RohasError } from "./errors.ts";
export { createApp, createEngine, HandlerResolutionError } from "./engine/mod.ts";
export type { App, CreateAppOptions, Engine, EngineOptions } from "./engine/mod.ts";
