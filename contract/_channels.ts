/**
 * Where each adapter puts an event on its broker, by the same encoding the adapters use
 * (`subjectToken`, SQS's 80-character `fit`): what an outside producer or consumer subscribes to.
 *
 * @module
 */

import { fit, subjectToken } from "../adapters/_support/codec.ts";

/** The broker-side names of one event for one adapter. */
export interface ChannelNames {
  /** Where a publish goes: a subject, topic or routing key (`null` when each group has its own). */
  publish: string | null;
  /** Per consumer group (`<project>.<handler>`), where its deliveries come from. */
  consumers: Record<string, string>;
}

/** What names depend on: the service (project) name and `[adapter]` settings as written. */
export interface ChannelContext {
  /** `[project] name`. */
  service: string;
  /** `[adapter]` keys as written (`queue_prefix` for SQS). */
  settings: Readonly<Record<string, unknown>>;
}

/** The adapter types whose broker names a document lists, in a fixed order. */
export const NAMED_ADAPTERS = [
  "memory",
  "rocksdb",
  "denokv",
  "nats",
  "rabbitmq",
  "kafka",
  "sqs",
  "aws",
] as const;

/** Names an event's channel the way `adapter` does.
 *
 * @param adapter an `[adapter] type`
 * @param event the event (topic) and its consumer groups
 * @param context service name and adapter settings
 * @returns the publish address and each group's
 */
export function channelNames(
  adapter: string,
  event: { topic: string; groups: readonly string[] },
  context: ChannelContext,
): ChannelNames {
  const s = subjectToken(context.service);
  const t = subjectToken(event.topic);
  const each = (name: (g: string) => string) =>
    Object.fromEntries(event.groups.map((g) => [g, name(subjectToken(g))]));
  switch (adapter) {
    case "nats":
      return { publish: `rohas.${s}.${t}.all`, consumers: each((g) => `rohas.${s}.${t}.g.${g}`) };
    case "rabbitmq":
      return { publish: `rohas.${s}/${t}`, consumers: each((g) => `rohas.${s}.q.${t}.${g}`) };
    case "kafka":
      return { publish: `rohas.${s}.${t}`, consumers: each((g) => `rohas.${s}.${g}.${t}`) };
    case "sqs":
    case "aws": {
      const prefix = typeof context.settings.queue_prefix === "string"
        ? context.settings.queue_prefix
        : `${s}-`;
      return { publish: null, consumers: each((g) => fit(`${prefix}${t}__${g}`)) };
    }
    default:
      // The embedded adapters (memory, rocksdb, denokv) key everything by the event name itself.
      return { publish: event.topic, consumers: each(() => event.topic) };
  }
}
