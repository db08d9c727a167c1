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
  serializeError,
  toWire,
  type ToWorker,
  unbatch,
  type WorkerMessage,
} from "./protocol.ts";

type Namespace = Record<string, unknown>;

/** Imported modules by file, each with the version it was imported at. */
const modules = new Map<string, { version: number; namespace: Promise<Namespace> }>();
/** Handler references by the number the engine gave them. */
const handlers = new Map<number, HandlerRef>();
const outbox = new Outbox<WorkerMessage>((posted) => self.postMessage(posted));
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
  for (const message of unbatch(event.data)) dispatch(message);
};

function dispatch(message: EngineMessage): void {
  switch (message.type) {
    case "invoke":
      (message.sequence === undefined ? invoke(message) : inSequence(message, message.sequence))
        .then((result) => {
          outbox.send({ type: "result", id: message.id, result: toWire(result) });
        });
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
      for (const id of waiting.get(message.sequence) ?? []) abandoned.add(id);
      return;
  }
}

/** The last call of each sequence; the next one starts once it settled. */
const sequences = new Map<string, Promise<InvocationResult>>();
/** The ids of the calls waiting behind another of their sequence, by sequence. */
const waiting = new Map<string, Set<number>>();
/** Waiting calls whose sequence was ended: they answer without running. */
const abandoned = new Set<number>();

/**
 * Runs a call after the previous call of its sequence settled (calls never reject). Its start mark
 * is written when it starts, so calls still waiting count as never started if the Worker dies.
 */
function inSequence(message: InvokeMessage, sequence: string): Promise<InvocationResult> {
  const previous = sequences.get(sequence);
  const call = previous === undefined ? invoke(message) : after(previous, message, sequence);
  sequences.set(sequence, call);
  call.then(() => {
    if (sequences.get(sequence) === call) sequences.delete(sequence);
  });
  return call;
}

/** Runs a call once `previous` settled, unless its sequence was ended meanwhile. */
async function after(
  previous: Promise<InvocationResult>,
  message: InvokeMessage,
  sequence: string,
): Promise<InvocationResult> {
  const ids = waiting.get(sequence) ?? new Set<number>();
  waiting.set(sequence, ids.add(message.id));
  await previous;
  ids.delete(message.id);
  if (ids.size === 0 && waiting.get(sequence) === ids) waiting.delete(sequence);
  if (!abandoned.delete(message.id)) return await invoke(message);
  const error = new CallAbandonedError(`Call of "${sequence}" abandoned: its sequence ended`);
  return failed("error", error, [], performance.now());
}

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

async function invoke(message: InvokeMessage): Promise<InvocationResult> {
  const started = performance.now();
  if (message.ref !== undefined) handlers.set(message.handler, message.ref);
  const handler = handlers.get(message.handler);
  if (handler === undefined) {
    const error = new HandlerNotFoundError(`Handler number ${message.handler} is unknown here`);
    return failed("not_found", error, [], started);
  }
  let namespace: Namespace;
  try {
    namespace = await importModule(handler.file, message.version);
  } catch (thrown) {
    return failed("error", thrown, [], started);
  }
  if (payloads.loading !== null) await payloads.loading;
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
  try {
    await namespace;
  } catch (thrown) {
    return { error: serializeError(thrown) };
  }
  const serving = modules.get(file);
  if (serving === undefined || serving.version < version) modules.set(file, { version, namespace });
  return {};
}

/** The serving module of `file`, imported at `version` unless a version as new already serves. */
function importModule(file: string, version: number): Promise<Namespace> {
  const serving = modules.get(file);
  if (serving !== undefined && serving.version >= version) return serving.namespace;
  const namespace = importVersion(file, version);
  modules.set(file, { version, namespace });
  // A failed first import is not kept: the next call tries again (at the same URL, whose failure
  // Deno caches, so a fix needs a reload).
  namespace.catch(() => {
    if (modules.get(file)?.namespace === namespace) modules.delete(file);
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
