/**
 * The topics of the rocksdb adapter as this process knows them: each one's log head and its
 * consumer groups, loaded from the store at start (registered groups with their offsets, and the
 * deliveries they had in flight) or on first use, and the events of topics nobody subscribed to.
 *
 * @module
 */

import type { EventEnvelope } from "../adapter.ts";
import type { Db } from "./_db.ts";
import { Group, type GroupStore, type Topic } from "./_group.ts";
import * as keys from "./_keys.ts";

/** Which unhandled events {@linkcode Topics.unhandled} lists. */
export interface UnhandledQuery {
  /** One topic, or every topic when undefined. */
  topic: string | undefined;
  /** Events kept per topic. */
  limit: number;
}

/** The topics in use, by name. */
export class Topics {
  readonly #topics = new Map<string, Promise<Topic>>();
  readonly #loaded = new Map<string, Topic>();

  /** Loads registered groups, their offsets and their in-flight deliveries. */
  async load(db: Db, store: GroupStore): Promise<void> {
    const groups = await db.scan({ gte: "grp/", lt: "grp/" + keys.END });
    const byTopic = new Map<string, [string, number][]>();
    for (const [key, value] of groups) {
      const [topic = "", group = ""] = keys.parts(key);
      const list = byTopic.get(topic) ?? [];
      list.push([group, (JSON.parse(value) as { offset: number }).offset]);
      byTopic.set(topic, list);
    }
    for (const [name, list] of byTopic) {
      const topic = await this.#loadTopic(db, name);
      for (const [group, cursor] of list) {
        topic.groups.set(group, new Group(name, group, cursor, store));
        // The log may be empty when every group acknowledged it all: numbering goes on.
        topic.head = topic.written = Math.max(topic.head, cursor);
      }
      this.#topics.set(name, Promise.resolve(topic));
    }
    for (const [key] of await db.scan({ gte: "fly/", lt: "fly/" + keys.END })) {
      const [topic = "", group = ""] = keys.parts(key);
      const seq = seqOf(key);
      const live = this.#loaded.get(topic)?.groups.get(group);
      const text = await db.get(keys.logKey(topic, seq));
      if (live && text !== undefined) live.redeliver({ kind: "log", seq, text });
      else await db.write([{ type: "del", key }], false);
    }
  }

  /** The topic, read from the store on first use. */
  get(db: Db, name: string): Promise<Topic> {
    let topic = this.#topics.get(name);
    if (!topic) {
      topic = this.#loadTopic(db, name);
      this.#topics.set(name, topic);
    }
    return topic;
  }

  /** The topic once it is loaded. */
  loaded(name: string): Topic | undefined {
    return this.#loaded.get(name);
  }

  /** Every loaded topic. */
  values(): Iterable<Topic> {
    return this.#loaded.values();
  }

  /**
   * Events published to topics no group subscribed to, oldest first, at most `at.limit` per topic.
   */
  async unhandled(db: Db, at: UnhandledQuery): Promise<EventEnvelope[]> {
    const { topic, limit } = at;
    const events: EventEnvelope[] = [];
    let from = topic === undefined ? "log/" : keys.logPrefix(topic);
    const end = topic === undefined ? "log/" + keys.END : keys.logPrefix(topic) + keys.END;
    while (from < end) {
      const [first] = await db.scan({ gte: from, lt: end, limit: 1 });
      if (!first) break;
      const name = keys.parts(first[0])[0] ?? "";
      const prefix = keys.logPrefix(name);
      from = prefix + keys.END;
      if (((await this.#topics.get(name))?.groups.size ?? 0) > 0) continue;
      const entries = await db.scan({ gte: prefix, lt: prefix + keys.END });
      for (const [, value] of entries.slice(-limit)) events.push(JSON.parse(value));
    }
    return events;
  }

  async #loadTopic(db: Db, name: string): Promise<Topic> {
    const prefix = keys.logPrefix(name);
    const [last] = await db.scan({ gte: prefix, lt: prefix + keys.END, reverse: true, limit: 1 });
    const head = last ? seqOf(last[0]) : 0;
    const topic: Topic = { name, head, written: head, compactedBelow: 0, groups: new Map() };
    this.#loaded.set(name, topic);
    return topic;
  }
}

/** The sequence number at the end of a `log/` or `fly/` key. */
export function seqOf(key: string): number {
  return Number(key.slice(key.lastIndexOf("/") + 1));
}
