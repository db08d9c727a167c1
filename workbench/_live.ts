/**
 * Live updates: the Server-Sent Events stream `/stream` and the original's long-polls
 * (`/traces/poll`, `/logs/poll`), both woken by telemetry subscriptions instead of polling.
 *
 * @module
 */

import type { LogEntry, TraceRecord } from "../telemetry/mod.ts";
import type { TelemetryReader } from "../telemetry/mod.ts";

const encoder = new TextEncoder();

/** Options of {@linkcode eventStream}. */
export interface StreamOptions {
  /** Comment lines keep proxies from closing an idle stream. Default 15000. */
  heartbeatMs?: number;
  /** Only these kinds. Default both. */
  kinds?: ReadonlySet<"trace" | "log">;
}

/**
 * A `text/event-stream` response of `trace` and `log` events until the client goes away (the
 * server cancels the body then, which unsubscribes).
 *
 * @param telemetry what to listen to
 * @param options heartbeat and kinds
 * @returns the streaming response
 */
export function eventStream(
  telemetry: Pick<TelemetryReader, "subscribe" | "watching">,
  options: StreamOptions = {},
): Response {
  let stop = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop();
        }
      };
      const off = telemetry.subscribe((event) => {
        if (options.kinds && !options.kinds.has(event.kind)) return;
        const data = event.kind === "trace" ? event.trace : event.entry;
        send(`event: ${event.kind}\ndata: ${JSON.stringify(data)}\n\n`);
      });
      const beat = setInterval(() => send(": keep-alive\n\n"), options.heartbeatMs ?? 15_000);
      stop = () => {
        off();
        clearInterval(beat);
      };
      // Connected once every process streams: an event recorded after this comment is sent.
      const watching = telemetry.watching?.() ?? Promise.resolve();
      return watching.then(() => send(": connected\n\n"));
    },
    cancel() {
      stop();
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      "x-accel-buffering": "no",
    },
  });
}

/** Settles on the next telemetry event of a kind, the deadline, or `cancel()`. */
function nextEvent(
  telemetry: TelemetryReader,
  kind: "trace" | "log",
  deadline: number,
): { promise: Promise<void>; cancel(): void } {
  const { promise, resolve } = Promise.withResolvers<void>();
  const done = () => {
    off();
    clearTimeout(timer);
    resolve();
  };
  const off = telemetry.subscribe((e) => {
    if (e.kind === kind) done();
  });
  const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
  return { promise, cancel: done };
}

/**
 * The trace long-poll: traces newer than `since` (a trace id), or all when `since` is unknown;
 * waits for new ones until the timeout, then `[]`.
 *
 * @param telemetry the reader
 * @param options `since`, timeout in seconds
 * @returns the traces, newest first
 */
export async function pollTraces(
  telemetry: TelemetryReader,
  options: { since: string | null; timeoutS: number },
): Promise<TraceRecord[]> {
  const deadline = Date.now() + options.timeoutS * 1000;
  // Traces started in the same millisecond as `since` may sort on either side of it; whatever
  // announces itself during the poll is new whatever the order.
  const announced = new Set<string>();
  const off = telemetry.subscribe((e) => {
    if (e.kind === "trace" && e.trace.id !== options.since) announced.add(e.trace.id);
  });
  try {
    for (;;) {
      const waiting = nextEvent(telemetry, "trace", deadline);
      const fresh = newerThan(await telemetry.traces({ limit: 100 }), options.since, announced);
      if (fresh.length > 0 || Date.now() >= deadline) {
        waiting.cancel();
        return fresh;
      }
      await waiting.promise;
    }
  } finally {
    off();
  }
}

function newerThan(
  traces: TraceRecord[],
  since: string | null,
  announced: ReadonlySet<string>,
): TraceRecord[] {
  const i = since === null ? -1 : traces.findIndex((t) => t.id === since);
  if (i < 0) return traces;
  return traces.filter((t, j) => j < i || announced.has(t.id));
}

/**
 * The log long-poll: entries with `timestamp > since` and the level; `[]` at the timeout.
 *
 * @param telemetry the reader
 * @param options `since`, level, timeout in seconds
 * @returns the entries, newest first
 */
export async function pollLogs(
  telemetry: TelemetryReader,
  options: {
    since: string | null;
    level: LogEntry["level"] | undefined;
    timeoutS: number;
  },
): Promise<LogEntry[]> {
  const deadline = Date.now() + options.timeoutS * 1000;
  for (;;) {
    const waiting = nextEvent(telemetry, "log", deadline);
    const logs = await telemetry.logs({
      limit: 500,
      ...(options.since === null ? {} : { after: options.since }),
      ...(options.level === undefined ? {} : { level: options.level }),
    });
    if (logs.length > 0 || Date.now() >= deadline) {
      waiting.cancel();
      return logs;
    }
    await waiting.promise;
  }
}
