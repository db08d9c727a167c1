/**
 * Confirmed publishing on JetStream, shared by the adapter and its subscriptions.
 *
 * @module
 */

import type { JetStreamClient } from "@nats-io/jetstream";
import type { EventEnvelope } from "../adapter.ts";
import { BrokerError, encodeEnvelope, retryWithBackoff } from "../_support/mod.ts";

/** The settings publishing reads. */
export interface PublishSettings {
  publishTimeoutMs: number;
}

/** Publishes and waits for the stream's acknowledgement, retrying through a broker restart. */
export async function publishConfirmed(
  js: JetStreamClient,
  settings: PublishSettings,
  subject: string,
  data: EventEnvelope | Uint8Array,
  msgID: string,
): Promise<void> {
  const bytes = data instanceof Uint8Array ? data : encodeEnvelope(data);
  try {
    // The message id makes a re-sent publish a no-op, so retrying after a lost ack is safe.
    await retryWithBackoff(() => js.publish(subject, bytes, { msgID, timeout: 5000 }), {
      deadlineMs: settings.publishTimeoutMs,
    });
  } catch (error) {
    throw wrap(`Cannot publish to NATS subject "${subject}"`, error);
  }
}

/** A broker error with the cause's message as detail. */
export function wrap(message: string, cause: unknown): BrokerError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new BrokerError(`${message}: ${detail}`, { cause });
}

/** A JetStream error saying the stream, consumer or message does not exist. */
export function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === 10014 || code === 10059 || code === 10037 || code === 404;
}
