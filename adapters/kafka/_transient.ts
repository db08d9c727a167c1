/**
 * A transient group's removal on Kafka (adapters/adapter.ts `SubscribeOptions.transient`): at close,
 * its consumer group (committed offsets) and its retry topic are deleted through the admin API. A
 * process killed before it closed leaves both; the broker drops the group's offsets after
 * `offsets.retention.minutes` (7 days by default) once it has no member, and the retry topic stays
 * (adapters/kafka/README.md).
 *
 * @module
 */

import type { Admin } from "kafkajs";
import { retryWithBackoff } from "../_support/mod.ts";

/** What to remove. */
export interface TransientGroup {
  groupId: string;
  retryTopic: string;
}

/** Kafka's error code for a group that still has members (`NON_EMPTY_GROUP`). */
const NON_EMPTY_GROUP = 68;

/**
 * Deletes the group and its retry topic. A group another member still holds is left to it (the
 * last member to close deletes it).
 *
 * @param admin a connected admin client
 * @param group the group id and its retry topic
 * @returns resolves once both are gone, or the group is still held
 */
export async function removeTransientGroup(admin: Admin, group: TransientGroup): Promise<void> {
  try {
    // A member that just left may still be counted for a moment by the coordinator.
    await retryWithBackoff(() => admin.deleteGroups([group.groupId]), {
      deadlineMs: 5000,
      initialMs: 100,
      fatal: (error) => errorCodeOf(error) !== NON_EMPTY_GROUP,
    });
  } catch (error) {
    if (errorCodeOf(error) === NON_EMPTY_GROUP) return;
    throw error;
  }
  await admin.deleteTopics({ topics: [group.retryTopic] });
}

/** The error code of a `deleteGroups` rejection, for its one group. */
function errorCodeOf(error: unknown): number | undefined {
  const groups = (error as { groups?: { errorCode?: number }[] } | null)?.groups;
  return groups?.[0]?.errorCode;
}
