/**
 * Several instances of one app on one broker: the instance id, cron runs claimed once per tick in
 * the shared state store, and presence (which instances run), with the warning for adapters that
 * cannot coordinate instances.
 *
 * @module
 */

export { instanceIdOf } from "./instance_id.ts";
export {
  CRON_CLAIM_PREFIX,
  type CronClaimRecord,
  kvCronClaim,
  type KvCronClaimOptions,
} from "./cron_claim.ts";
export {
  announcePresence,
  type InstanceInfo,
  type Presence,
  PRESENCE_PREFIX,
  type PresenceOptions,
} from "./presence.ts";
export { coordinationWarning, INSTANCE_LOCAL_ADAPTERS } from "./warning.ts";
