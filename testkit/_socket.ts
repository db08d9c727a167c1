/**
 * A WebSocket client for tests: a real connection, its messages kept in order and awaited one at
 * a time.
 *
 * @module
 */

import { EngineError } from "../engine/mod.ts";

/** A connection opened by `TestApp.connect`. */
export interface TestSocket {
  /** Messages received so far (parsed JSON, or the text when it is not JSON), oldest first. */
  readonly messages: readonly unknown[];
  /** Sends a message (JSON-encoded unless it is a string). */
  send(message: unknown): void;
  /**
   * The next message not yet taken by `next()`, waiting for it when needed.
   *
   * @param timeoutMs how long to wait. Default 5000
   * @throws {EngineError} when none comes in time, or the connection closed
   */
  next(timeoutMs?: number): Promise<unknown>;
  /** Closes the connection; resolves once it is closed. */
  close(): Promise<void>;
}

/** Opens a connection; rejects when the server refuses the upgrade. */
export function openTestSocket(url: string): Promise<TestSocket> {
  const socket = new WebSocket(url);
  const messages: unknown[] = [];
  let taken = 0;
  let wake: (() => void) | null = null;
  const closed = new Promise<void>((resolve) => socket.addEventListener("close", () => resolve()));
  socket.addEventListener("message", (event) => {
    messages.push(parsed(String(event.data)));
    wake?.();
  });
  closed.then(() => wake?.());
  const client: TestSocket = {
    messages,
    send: (message) => socket.send(typeof message === "string" ? message : JSON.stringify(message)),
    next: async (timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      while (taken >= messages.length) {
        if (socket.readyState === WebSocket.CLOSED) {
          throw new EngineError(`Cannot read a message from ${url}: the connection closed`);
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new EngineError(`No message from ${url} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      return messages[taken++];
    },
    close: async () => {
      if (socket.readyState !== WebSocket.CLOSED) socket.close();
      await closed;
    },
  };
  return new Promise((resolve, reject) => {
    socket.addEventListener("open", () => resolve(client), { once: true });
    socket.addEventListener("error", () => {
      reject(new EngineError(`Cannot connect to ${url}: the server refused the upgrade`));
    }, { once: true });
  });
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError) return text;
    throw error;
  }
}
