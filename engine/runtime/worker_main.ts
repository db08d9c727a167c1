/**
 * The entry of a handler Worker. It imports handler modules on demand (`file?v=<version>`, so a
 * reload swaps the module while calls in flight keep the old one), runs any number of calls
 * concurrently, and posts results back in batches. Load errors are reported, never fatal.
 *
 * @module
 */

/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />

import { pathToFileURL } from "node:url";
import { callHandler, failed } from "./_call_handler.ts";
import { WorkerSequences } from "./_worker_sequences.ts";
import type { HandlerRef, InvocationResult } from "./contract.ts";
import { CallAbandonedError, HandlerLoadError, HandlerNotFoundError } from "./errors.ts";
import {
  createRemoteKvBackend,
  kvOver,
  type KvRequest,
  type KvResponse,
  reviveStateError,
} from "../../state/mod.ts";
import { type PayloadCheck, payloadCheck, type PayloadTypes } from "../events/payload_check.ts";
import {
  type EngineMessage,
  type InvokeMessage,
  type KvAnswerMessage,
  type LoadMessage,
  markOf,
  Outbox,
  type PayloadsMessage,
  resultMessage,
  serializeError,
  type ToWorker,
  unbatch,
  type WorkerMessage,
} from "./protocol.ts";
import { packForEngine, unpackEventCalls } from "./_flat_calls.ts";

type Namespace = Record<string, unknown>;

/** A module imported (or being imported) at a version. */
interface Serving {
  version: number;
  namespace: Promise<Namespace>;
  /** The namespace once imported: calls then start without waiting for a promise. */
  loaded?: Namespace;
}

/** Imported modules by file, each with the version it was imported at. */
const modules = new Map<string, Serving>();
/** Handler references by the number the engine gave them. */
const handlers = new Map<number, HandlerRef>();
const outbox = new Outbox<WorkerMessage>((posted) => self.postMessage(packForEngine(posted)));
/** Where each call is marked as started (see `MarksMessage`). */
let marks: Int32Array | null = null;
/** `state.kv` operations waiting for the engine's answer, by this Worker's id. */
const kvWaiting = new Map<number, PromiseWithResolvers<KvResponse>>();
let lastKvId = 0;
/**
 * `state.kv` of every call here: one object for the Worker's life, and a message only when a
 * handler uses it (the engine owns the store; this Worker has no access of its own to it).
 */
const kv = kvOver(createRemoteKvBackend(askKv));

function askKv(request: KvRequest): Promise<KvResponse> {
  const id = ++lastKvId;
  const waiting = Promise.withResolvers<KvResponse>();
  kvWaiting.set(id, waiting);
  outbox.send({ type: "kv", id, request });
  return waiting.promise;
}

function kvAnswered(message: KvAnswerMessage): void {
  const waiting = kvWaiting.get(message.id);
  kvWaiting.delete(message.id);
  if (message.error !== undefined) waiting?.reject(reviveStateError(message.error));
  else waiting?.resolve(message.response!);
}
/** The check of `state.triggerEvent` payloads, once the generated validators are imported. */
const payloads: {
  version: number;
  check: PayloadCheck | undefined;
  /** While the generated validators are imported: calls wait for it, so none runs unchecked. */
  loading: Promise<unknown> | null;
} = { version: 0, check: undefined, loading: null };

self.onmessage = (event: MessageEvent<ToWorker>) => {
  for (const message of unbatch(event.data)) {
    if (message.type === "event_calls") unpackEventCalls(message, dispatch);
    else dispatch(message);
  }
};

function dispatch(message: EngineMessage): void {
  switch (message.type) {
    case "invoke":
      if (message.sequence !== undefined) sequences.add(message.sequence, message);
      else answerOnceDone(message, invoke(message));
      return;
    case "load":
      load(message).then((error) => outbox.send({ type: "loaded", id: message.id, ...error }));
      return;
    case "ping":
      outbox.send({ type: "pong", id: message.id });
      return;
    case "marks":
      marks = new Int32Array(message.marks);
      signalExit(new Int32Array(message.exit));
      return;
    case "kv_answer":
      kvAnswered(message);
      return;
    case "payloads":
      startPayloadCheck(message);
      return;
    case "end_sequence":
      sequences.end(message.sequence);
      return;
  }
}

function answer(message: InvokeMessage, result: InvocationResult): void {
  outbox.send(resultMessage(message.id, result));
}

function answerOnceDone(
  message: InvokeMessage,
  result: InvocationResult | Promise<InvocationResult>,
): void {
  if (result instanceof Promise) result.then((settled) => answer(message, settled));
  else answer(message, result);
}

/**
 * The calls of each sequence, run one after another. Its waiting calls have no start mark yet, so
 * they count as never started if the Worker dies.
 */
const sequences = new WorkerSequences<InvokeMessage, InvocationResult>({
  run: invoke,
  abandon(_message, sequence) {
    const error = new CallAbandonedError(`Call of "${sequence}" abandoned: its sequence ended`);
    return failed("error", error, [], performance.now());
  },
  answer,
});

/** Calls wait for the newest import; an older one finishing does not release them. */
function startPayloadCheck(message: PayloadsMessage): void {
  const loading: Promise<unknown> = loadPayloadCheck(message)
    // A generated module that cannot be imported leaves the check to the bus (same refusal, after
    // the call); the handlers importing that module report the error themselves.
    .catch(() => payloads.check = undefined)
    .finally(() => {
      if (payloads.loading === loading) payloads.loading = null;
    });
  payloads.loading = loading;
}

/**
 * Imports the generated validators at the message's version. Until they are in (or when the project
 * has none, such as before its first codegen) calls are not checked here: the bus still refuses a
 * wrong-shaped payload after the call, with the same message.
 */
async function loadPayloadCheck(message: PayloadsMessage): Promise<void> {
  payloads.version = message.version;
  payloads.check = undefined;
  const url = pathToFileURL(message.validators);
  if (!existsSync(url)) return;
  const module = await import(`${url.href}?v=${message.version}`) as {
    validators?: PayloadTypes["validators"];
  };
  if (payloads.version !== message.version || module.validators === undefined) return;
  const events = Object.entries(message.events).map(([event, payloadType]) => ({
    event,
    payloadType,
  }));
  payloads.check = payloadCheck({ events, validators: module.validators });
}

function existsSync(url: URL): boolean {
  try {
    return Deno.statSync(url).isFile;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Tells the engine when this Worker ends by itself (handler code called Deno.exit() or close()). */
function signalExit(flag: Int32Array): void {
  self.addEventListener("unload", () => {
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  });
}

/**
 * Runs a call. Once its module is imported (and the payload check too), the handler is called at
 * once, and a handler that answers synchronously gets its result back synchronously.
 */
function invoke(message: InvokeMessage): InvocationResult | Promise<InvocationResult> {
  const started = performance.now();
  if (message.ref !== undefined) handlers.set(message.handler, message.ref);
  const handler = handlers.get(message.handler);
  if (handler === undefined) {
    const error = new HandlerNotFoundError(`Handler number ${message.handler} is unknown here`);
    return failed("not_found", error, [], started);
  }
  const serving = modules.get(handler.file);
  if (
    serving?.loaded !== undefined && serving.version >= message.version && payloads.loading === null
  ) {
    return start(serving.loaded, handler, message);
  }
  return invokeWhenLoaded(message, handler, started);
}

async function invokeWhenLoaded(
  message: InvokeMessage,
  handler: HandlerRef,
  started: number,
): Promise<InvocationResult> {
  let namespace: Namespace;
  try {
    namespace = await importModule(handler.file, message.version);
  } catch (thrown) {
    return failed("error", thrown, [], started);
  }
  if (payloads.loading !== null) await payloads.loading;
  return await start(namespace, handler, message);
}

/** Marks the call as started and calls the handler. */
function start(
  namespace: Namespace,
  handler: HandlerRef,
  message: InvokeMessage,
): InvocationResult | Promise<InvocationResult> {
  if (marks !== null && message.slot >= 0) Atomics.store(marks, message.slot, markOf(message.id));
  return callHandler(namespace, { handler, input: message.input, traceId: message.traceId }, {
    check: payloads.check,
    kv,
  });
}

/** Imports a new version; it replaces the serving one only once it loaded without error. */
async function load(message: LoadMessage) {
  const { file, version } = message;
  const namespace = importVersion(file, version);
  let loaded: Namespace;
  try {
    loaded = await namespace;
  } catch (thrown) {
    return { error: serializeError(thrown) };
  }
  const serving = modules.get(file);
  if (serving === undefined || serving.version < version) {
    modules.set(file, { version, namespace, loaded });
  }
  return {};
}

/** The serving module of `file`, imported at `version` unless a version as new already serves. */
function importModule(file: string, version: number): Promise<Namespace> {
  const serving = modules.get(file);
  if (serving !== undefined && serving.version >= version) return serving.namespace;
  const namespace = importVersion(file, version);
  const entry: Serving = { version, namespace };
  modules.set(file, entry);
  // A failed first import is not kept: the next call tries again (at the same URL, whose failure
  // Deno caches, so a fix needs a reload).
  namespace.then((loaded) => entry.loaded = loaded, () => {
    if (modules.get(file) === entry) modules.delete(file);
  });
  return namespace;
}

function importVersion(file: string, version: number): Promise<Namespace> {
  // Version 0 imports the plain URL so that stack traces read naturally until the first reload.
  const href = pathToFileURL(file).href;
  const url = version === 0 ? href : `${href}?v=${version}`;
  return (import(url) as Promise<Namespace>).catch((cause) => {
    const message = `Cannot load handler module "${file}": ${messageOf(cause)}`;
    throw new HandlerLoadError(message, { cause });
  });
}

function messageOf(thrown: unknown): string {
  return thrown instanceof Error ? thrown.message : String(thrown);
}
