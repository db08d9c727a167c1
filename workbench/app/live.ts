/// <reference lib="dom" />
/**
 * Live traces and logs from the Server-Sent Events stream `/api/workbench/stream`, read with
 * `fetch` (so the key travels in a header, which `EventSource` cannot send); reconnects with
 * backoff.
 *
 * @module
 */

import { authHeaders } from "./api.ts";
import type { LogEntry, TraceRecord } from "./types.ts";

/** What the stream delivers. */
export type LiveEvent = { kind: "trace"; trace: TraceRecord } | { kind: "log"; entry: LogEntry };

const listeners = new Set<(event: LiveEvent) => void>();
let started = false;

/** Listens to live events; returns the unsubscribe function. */
export function onLive(listener: (event: LiveEvent) => void): () => void {
  listeners.add(listener);
  if (!started) {
    started = true;
    void connect(500);
  }
  return () => listeners.delete(listener);
}

async function connect(backoff: number): Promise<void> {
  try {
    const response = await fetch("/api/workbench/stream", { headers: authHeaders() });
    if (!response.ok || !response.body) throw new Error(String(response.status));
    setStatus(true);
    backoff = 500;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  } catch {
    // Reconnect below.
  }
  setStatus(false);
  setTimeout(() => void connect(Math.min(backoff * 2, 10_000)), backoff);
}

function dispatch(block: string): void {
  let kind = "";
  let data = "";
  for (const line of block.split("\n")) {
    if (line.startsWith("event: ")) kind = line.slice(7);
    else if (line.startsWith("data: ")) data += line.slice(6);
  }
  if (!data) return;
  const parsed = JSON.parse(data);
  const event: LiveEvent | null = kind === "trace"
    ? { kind: "trace", trace: parsed }
    : kind === "log"
    ? { kind: "log", entry: parsed }
    : null;
  if (event) { for (const l of listeners) l(event); }
}

function setStatus(connected: boolean): void {
  const dot = document.getElementById("live-status");
  if (!dot) return;
  dot.className = connected ? "live on" : "live off";
  dot.title = connected ? "Live: connected" : "Live: reconnecting";
  dot.dataset.connected = String(connected);
}
