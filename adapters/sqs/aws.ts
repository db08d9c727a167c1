/**
 * The `aws` adapter type of the original Rohas (docs/compatibility.md#aws-adapter): `aws_type =
 * "sqs"` (the default) is the SQS adapter; `aws_type = "eventbridge"` publishes with EventBridge
 * PutEvents and routes each (topic, group) to its SQS queue with a rule, then consumes like the SQS
 * adapter.
 *
 * @module
 */

import type { Adapter } from "../adapter.ts";
import { AdapterError } from "../errors.ts";
import { createSqsFamilyAdapter, type SqsAdapterOptions } from "./sqs_adapter.ts";

/** Options of {@linkcode createAwsAdapter}. */
export type AwsAdapterOptions = SqsAdapterOptions;

/**
 * Creates the adapter for `[adapter] type = "aws"`.
 *
 * @param settings the raw `[adapter]` table (`aws_type`, `region`, `queue_prefix`, ...)
 * @param options environment, service name, background error sink
 * @returns the adapter, not yet started
 * @throws {AdapterError} for an `aws_type` other than `sqs` or `eventbridge`
 *
 * @example EventBridge in front of SQS
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { createAwsAdapter } from "./mod.ts";
 * const adapter = createAwsAdapter({ aws_type: "eventbridge", region: "eu-west-1" }, { env: {} });
 * assertEquals(adapter.type, "aws");
 * await adapter.close();
 * ```
 */
export function createAwsAdapter(
  settings: Readonly<Record<string, unknown>>,
  options: AwsAdapterOptions = {},
): Adapter {
  const raw = settings.aws_type ?? "sqs";
  switch (String(raw).toLowerCase()) {
    case "sqs":
    case "eventbridge":
      return createSqsFamilyAdapter("aws", settings, options);
    default:
      throw new AdapterError(
        `Unsupported AWS adapter type "${raw}" in [adapter] aws_type: expected "sqs" or "eventbridge"`,
      );
  }
}
