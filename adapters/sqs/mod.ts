/**
 * The `sqs` adapter: Amazon SQS (or any SQS-compatible endpoint). See README.md for its guarantees.
 *
 * @module
 */

export { createSqsAdapter, type SqsAdapterOptions } from "./sqs_adapter.ts";
export { type AwsAdapterOptions, createAwsAdapter } from "./aws.ts";
