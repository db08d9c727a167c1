/**
 * The settings of the `sqs` and `aws` adapters, read from `[adapter]` and the environment
 * (sqs_adapter.ts `createSqsAdapter` lists them).
 *
 * @module
 */

import type { SQSClientConfig } from "@aws-sdk/client-sqs";
import { type SettingsReader, subjectToken } from "../_support/mod.ts";
import type { EventBridgeSettings } from "./_eventbridge.ts";
import type { QueueSettings } from "./_queues.ts";

/** Resolved settings of the SQS adapter. */
export interface SqsSettings extends QueueSettings {
  client: SQSClientConfig;
  /** Set for `aws_type = "eventbridge"`: publish through EventBridge rules. */
  eventbridge: EventBridgeSettings | null;
  address: string;
  addressSource: string;
  waitTimeS: number;
  publishTimeoutMs: number;
  /** A transient group's queue whose heartbeat is older is deleted (sqs/_transient.ts). */
  transientExpiryMs: number;
}

/**
 * Reads the settings.
 *
 * @param read the `[adapter]` reader
 * @param service the service name, the default queue prefix
 * @returns the settings, without EventBridge
 */
export function resolveSettings(read: SettingsReader, service: string): SqsSettings {
  const region = read.string("region", "AWS_REGION", "us-east-1");
  const endpoint = read.string("endpoint", "ROHAS_SQS_ENDPOINT", "");
  const keyId = read.string("access_key_id", null, "");
  const secret = read.string("secret_access_key", null, "");
  const client: SQSClientConfig = { region, maxAttempts: 3 };
  if (endpoint !== "") client.endpoint = endpoint;
  if (keyId !== "" && secret !== "") {
    client.credentials = { accessKeyId: keyId, secretAccessKey: secret };
  } else if (endpoint !== "" && isLocal(endpoint)) {
    client.credentials = { accessKeyId: "rohas", secretAccessKey: "rohas" };
  }
  return {
    client,
    address: endpoint !== "" ? endpoint : `AWS SQS in ${region}`,
    addressSource: endpoint !== ""
      ? read.source("endpoint", "ROHAS_SQS_ENDPOINT")
      : read.source("region", "AWS_REGION"),
    eventbridge: null,
    prefix: read.string("queue_prefix", "ROHAS_SQS_QUEUE_PREFIX", `${subjectToken(service)}-`),
    visibilityTimeoutS: read.number("visibility_timeout_s", null, 30),
    retentionS: read.number("retention_s", null, 345_600),
    waitTimeS: read.number("wait_time_s", null, 20),
    groupsTtlMs: read.number("groups_ttl_ms", null, 1000),
    publishTimeoutMs: read.number("publish_timeout_ms", null, 30_000),
    transientExpiryMs: read.number("transient_expiry_ms", null, 60_000),
  };
}
function isLocal(endpoint: string): boolean {
  try {
    const host = new URL(endpoint).hostname;
    return host === "localhost" || host.startsWith("127.") || host === "[::1]";
  } catch {
    return false;
  }
}
