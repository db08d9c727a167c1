/**
 * What a transient group leaves in the rocksdb store when its last subscriber closes
 * (adapters/adapter.ts `SubscribeOptions.transient`): its registration and offset, which would
 * otherwise hold back the log's clean-up forever, its in-flight markers and its pending retries.
 *
 * @module
 */

import type { Db, Op } from "./_db.ts";
import * as keys from "./_keys.ts";

/**
 * The deletes that remove a group from the store.
 *
 * @param db the open store
 * @param topic the group's topic
 * @param group the group
 * @returns the operations, to write in one batch
 */
export async function dropGroupOps(db: Db, topic: string, group: string): Promise<Op[]> {
  const flights = `fly/${keys.segment(topic)}/${keys.segment(group)}/`;
  const inFlight = await db.scan({ gte: flights, lt: flights + keys.END });
  const retries = (await db.scan({ gte: "retry/", lt: "retry/" + keys.END })).filter(([key]) => {
    const [, retryTopic, retryGroup] = keys.parts(key);
    return retryTopic === topic && retryGroup === group;
  });
  return [
    { type: "del", key: keys.groupKey(topic, group) },
    ...[...inFlight, ...retries].map(([key]): Op => ({ type: "del", key })),
  ];
}
