/**
 * Calls and their answers as they cross a handler Worker's boundary, flat: a run of
 * {@linkcode InvokeMessage}s that deliver one event each travels as one array of their fields
 * ({@linkcode EventCalls}) rather than as objects, and so does a run of the Worker's
 * {@linkcode DoneMessage}s ({@linkcode DoneCalls}). A structured clone costs per object and per
 * property name (each name is written and read back as a string, every time): a batch of 64 event
 * calls cost the engine's thread 2.1 µs a call to post as objects against 1.0 flat, and the round
 * trip to the Worker 5.2–6.6 µs a call against 3.1–3.6 (measured, BENCHMARKS.md "Event calls to a
 * Worker as flat arrays"). The receiving side builds each message's objects again, which a
 * fixed-shape literal does at a fraction of that cost.
 *
 * Only calls whose input is one event and that carry no handler reference (the first call of a
 * handler in a Worker carries it) are packed; every other message keeps its place in the batch.
 *
 * @module
 */

import type {
  Batch,
  DoneMessage,
  EngineMessage,
  FromWorker,
  InvokeMessage,
  ToWorker,
  WorkerMessage,
} from "./protocol.ts";

/** Consecutive event calls, {@linkcode STRIDE} fields each (see {@linkcode packEventCalls}). */
export interface EventCalls {
  type: "event_calls";
  fields: unknown[];
}

/**
 * Fields per call: id, handler, version, trace id, sequence, slot, event id, timestamp, attempt,
 * payload.
 */
const STRIDE = 10;

/** An invoke of one event with no handler reference: what {@linkcode packEventCalls} packs. */
function packable(message: EngineMessage): message is InvokeMessage {
  return message.type === "invoke" && message.input.kind === "event" &&
    message.ref === undefined;
}

function pushCall(fields: unknown[], call: InvokeMessage): void {
  const { event } = call.input as Extract<InvokeMessage["input"], { kind: "event" }>;
  fields.push(
    call.id,
    call.handler,
    call.version,
    call.traceId,
    call.sequence,
    call.slot,
    event.id,
    event.timestamp,
    event.attempt,
    event.payload,
  );
}

/**
 * The messages of a batch with each run of event calls packed into one {@linkcode EventCalls}, in
 * order.
 *
 * @param messages the messages to post, in order
 * @returns the same messages, runs of event calls packed
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { packEventCalls, unpackEventCalls } from "./_flat_calls.ts";
 * import type { InvokeMessage } from "./protocol.ts";
 * const call: InvokeMessage = {
 *   type: "invoke", id: 7, handler: 1, version: 0, traceId: "t", slot: 3, sequence: "Ping",
 *   input: {
 *     kind: "event",
 *     event: { payload: { n: 1 }, timestamp: "2026-12-07T00:00:00.000Z", id: "e", attempt: 1 },
 *   },
 * };
 * const packed = packEventCalls([call])[0]!;
 * assertEquals(packed.type, "event_calls");
 * const calls: InvokeMessage[] = [];
 * if (packed.type === "event_calls") unpackEventCalls(packed, (c) => calls.push(c));
 * assertEquals(calls, [call]);
 * ```
 */
export function packEventCalls(messages: readonly EngineMessage[]): (EngineMessage | EventCalls)[] {
  return packRuns(
    messages,
    packable,
    (): EventCalls => ({ type: "event_calls", fields: [] }),
    pushCall,
  );
}

/**
 * The messages in order, each run of consecutive ones that `packs` takes written into one run
 * value (made by `start`, filled by `push`); the others as they are.
 */
function packRuns<M, R extends { fields: unknown[] }, P extends M>(
  messages: readonly M[],
  packs: (message: M) => message is P,
  start: () => R,
  push: (fields: R["fields"], message: P) => void,
): (M | R)[] {
  const out: (M | R)[] = [];
  let run: R | null = null;
  for (const message of messages) {
    if (!packs(message)) {
      run = null;
      out.push(message);
      continue;
    }
    if (run === null) out.push(run = start());
    push(run.fields, message);
  }
  return out;
}

/**
 * What the engine posts for a message or a batch: runs of event calls packed.
 *
 * @param posted a message or a batch, as the engine's outbox collected it
 * @returns the value to post
 */
export function packForWorker(posted: EngineMessage | Batch<EngineMessage>): ToWorker {
  if (posted.type === "batch") return { type: "batch", messages: packEventCalls(posted.messages) };
  return packable(posted) ? packEventCalls([posted])[0]! : posted;
}

/**
 * Calls `each` with every call of a packed run, in order, each built again as the
 * {@linkcode InvokeMessage} it was.
 *
 * @param packed the run
 * @param each receives each call
 */
export function unpackEventCalls(packed: EventCalls, each: (call: InvokeMessage) => void): void {
  const { fields } = packed;
  for (let i = 0; i + STRIDE <= fields.length; i += STRIDE) {
    const call: InvokeMessage = {
      type: "invoke",
      id: fields[i] as number,
      handler: fields[i + 1] as number,
      version: fields[i + 2] as number,
      traceId: fields[i + 3] as string,
      slot: fields[i + 5] as number,
      input: {
        kind: "event",
        // In the order the engine builds it (`eventInput`): a handler may write the event out.
        event: {
          payload: fields[i + 9],
          timestamp: fields[i + 7] as string,
          id: fields[i + 6] as string,
          attempt: fields[i + 8] as number,
        },
      },
    };
    const sequence = fields[i + 4] as string | undefined;
    if (sequence !== undefined) call.sequence = sequence;
    each(call);
  }
}

/** Consecutive {@linkcode DoneMessage}s: id, JSON text and duration of each. */
export interface DoneCalls {
  type: "done_calls";
  fields: (number | string)[];
}

/**
 * What a Worker posts for a message or a batch: runs of `done` answers packed.
 *
 * @param posted a message or a batch, as the Worker's outbox collected it
 * @returns the value to post
 */
export function packForEngine(posted: WorkerMessage | Batch<WorkerMessage>): FromWorker {
  if (posted.type !== "batch") return posted;
  const messages = packRuns(
    posted.messages,
    (message): message is DoneMessage => message.type === "done",
    (): DoneCalls => ({ type: "done_calls", fields: [] }),
    (fields, done) => fields.push(done.id, done.json, done.durationMs),
  );
  return { type: "batch", messages };
}

/**
 * Calls `each` with every answer of a packed run, in order.
 *
 * @param packed the run
 * @param each receives each answer
 */
export function unpackDoneCalls(packed: DoneCalls, each: (done: DoneMessage) => void): void {
  const { fields } = packed;
  for (let i = 0; i + 3 <= fields.length; i += 3) {
    each({
      type: "done",
      id: fields[i] as number,
      json: fields[i + 1] as string,
      durationMs: fields[i + 2] as number,
    });
  }
}
