/**
 * The `aws` adapter type of the original Rohas (SPEC.md 8.3, 8.4): `aws_type = "sqs"` (the default)
 * is the {@linkcode createSqsAdapter} SQS adapter; `aws_type = "eventbridge"` is not implemented
 * yet and fails at start-up with a clear error instead of falling back silently.
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
 * @throws {AdapterError} for `aws_type = "eventbridge"` (not yet supported) or an unknown type
 */
export function createAwsAdapter(
  settings: Readonly<Record<string, unknown>>,
  options: AwsAdapterOptions = {},
): Adapter {
  const raw = settings.aws_type ?? "sqs";
  switch (String(raw).toLowerCase()) {
    case "sqs":
      return createSqsFamilyAdapter("aws", settings, options);
    case "eventbridge":
      throw new AdapterError(
        `Unsupported AWS adapter type "eventbridge" in [adapter] aws_type: EventBridge is not implemented yet, use aws_type = "sqs"`,
      );
    default:
      throw new AdapterError(
        `Unsupported AWS adapter type "${raw}" in [adapter] aws_type: expected "sqs" or "eventbridge"`,
      );
  }
}
