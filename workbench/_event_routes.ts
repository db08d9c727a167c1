/**
 * The workbench API routes that act: trigger an event, list and replay dead letters, run a cron
 * job now. Each answers 501 when the engine gave the workbench no way to do it.
 *
 * @module
 */

import { type DeadLetterJson, deadLetterJson } from "../adapters/mod.ts";
import { exceedsJsonDepth, MAX_JSON_DEPTH } from "../_json_depth.ts";
import { type Ctx, need } from "./_context.ts";
import type { WorkbenchEvents } from "./handler.ts";
import { WorkbenchError } from "./errors.ts";

async function readJson(request: Request): Promise<Record<string, unknown>> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
    await request.body?.cancel();
    throw new WorkbenchError(415, "Content-Type must be application/json");
  }
  const text = await request.text();
  if (text.trim() === "") return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new WorkbenchError(400, `Malformed JSON body: ${(error as Error).message}`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new WorkbenchError(400, "The body must be a JSON object");
  }
  // A triggered payload reaches handlers as the engine's bodies do: the same depth limit.
  if (exceedsJsonDepth(body, { limit: MAX_JSON_DEPTH, bytes: text.length })) {
    throw new WorkbenchError(400, `JSON body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  return body as Record<string, unknown>;
}

/** `POST events/{name}/trigger`: publishes the body's `payload` as the event. */
export async function trigger(ctx: Ctx, name: string): Promise<Record<string, unknown>> {
  const body = await readJson(ctx.request);
  if (!ctx.options.schema().events.some((e) => e.name === name)) {
    throw new WorkbenchError(404, `No event "${name}" in the schema`);
  }
  const events = need(ctx.options.events, "Triggering events");
  const payload = body.payload ?? {};
  let published: unknown;
  try {
    published = await events.publish(name, payload, { parentId: null, source: "workbench" });
  } catch (error) {
    throw refused(events, error) ??
      new WorkbenchError(500, `Failed to emit event: ${(error as Error).message ?? error}`);
  }
  const envelope = published as { id?: string; metadata?: { trace_id?: string } } | undefined;
  return {
    success: true,
    event: name,
    payload,
    ...(envelope?.id ? { id: envelope.id } : {}),
    ...(envelope?.metadata?.trace_id ? { trace_id: envelope.metadata.trace_id } : {}),
  };
}

/** `GET dead-letters`: newest first, of one `topic` or of all. */
export async function deadLetters(ctx: Ctx): Promise<DeadLetterJson[]> {
  const events = need(ctx.options.events, "Dead letters");
  const topic = ctx.url.searchParams.get("topic") || undefined;
  return (await events.listDeadLetters(topic)).map(deadLetterJson);
}

/** `POST dead-letters/replay`: re-delivers the dead letters of `topic` (only `ids` when given). */
export async function replay(ctx: Ctx): Promise<Record<string, unknown>> {
  const body = await readJson(ctx.request);
  const events = need(ctx.options.events, "Dead letters");
  const topic = body.topic;
  if (typeof topic !== "string" || topic === "") {
    throw new WorkbenchError(400, `"topic" must be a non-empty string`);
  }
  const ids = body.ids;
  if (ids !== undefined && !(Array.isArray(ids) && ids.every((i) => typeof i === "string"))) {
    throw new WorkbenchError(400, `"ids" must be a list of strings`);
  }
  let replayed: number;
  try {
    replayed = await events.replayDeadLetters(topic, ids === undefined ? {} : { ids });
  } catch (error) {
    throw refused(events, error) ?? error;
  }
  return { success: true, topic, replayed };
}

/** A payload the bus refused is the client's to fix: 422 with every issue. */
function refused(events: WorkbenchEvents, error: unknown): WorkbenchError | null {
  const refusal = events.refusal?.(error);
  if (!refusal) return null;
  return new WorkbenchError(422, refusal.message, { cause: error, details: refusal.details });
}

/** `POST crons/{name}/run`: runs the cron job now. */
export async function runCron(ctx: Ctx, name: string): Promise<Record<string, unknown>> {
  await ctx.request.body?.cancel();
  if (!ctx.options.schema().crons.some((c) => c.name === name)) {
    throw new WorkbenchError(404, `No cron job "${name}" in the schema`);
  }
  const run = need(ctx.options.runCron, "Running cron jobs");
  const outcome = await run(name);
  return { success: true, cron: name, outcome: outcome ?? null };
}
