/**
 * The one conformance suite every adapter runs (docs/design.md#d9-event-delivery and
 * docs/design.md#d10-adapters), built-in or written by a user. Any test file calls
 * {@linkcode adapterConformance} inside its own `Deno.test`; it runs one step per behaviour of the
 * delivery contract, each on fresh topic names, skipping (as `ignore`d) only the cases the
 * adapter's declared guarantees or options rule out. Importing this module registers nothing.
 *
 * The suite waits for signals with deadlines, never for fixed times.
 *
 * @example In an adapter's test file (it declares a `Deno.test` of its own, which a documentation
 * test cannot, so it is not run as one)
 * ```ts ignore
 * import { adapterConformance } from "@rohas/cli/adapters";
 * import { createMemoryAdapter } from "@rohas/cli/adapters";
 * Deno.test("memory adapter conforms to the delivery contract", (t) =>
 *   adapterConformance(t, {
 *     create: () => Promise.resolve(createMemoryAdapter()),
 *     singleProcess: true,
 *   }));
 * ```
 *
 * @module
 */

import type { Adapter } from "./adapter.ts";
import { Suite } from "./_conformance_suite.ts";
import {
  batch,
  competingConsumers,
  concurrency,
  fanOut,
  handsOutInOrder,
  ordering,
  retriesDueTogetherOnce,
  retriesOnce,
  retryDelay,
  roundTrip,
  unsettledAfterRestart,
  unsettledRedelivered,
} from "./_conformance_delivery.ts";
import {
  brokerRestart,
  closeAdapter,
  closeSubscription,
  deadLetterOutside,
  deadLetterReplay,
  durability,
  idempotency,
  publishDeadLetter,
  replayById,
  transientGroup,
} from "./_conformance_failure.ts";

/** Options of {@linkcode adapterConformance}. */
export interface ConformanceOptions {
  /**
   * Creates an adapter, not yet started. Within one test every call must reach the same broker or
   * storage, so two adapters act as two engine instances (and a closed then re-created adapter as a
   * restarted engine). The suite reads `guarantees` of one adapter it never starts, then closes it:
   * `close()` of an adapter that was never started must resolve.
   */
  create: () => Promise<Adapter>;
  /** Two adapters never share messages (the memory adapter): the competing-consumers case is skipped. Default false. */
  singleProcess?: boolean;
  /**
   * A closed adapter re-created in the same process gets back what the old one held. False for
   * Deno KV, which leaves a message it dequeued as the handle closed in flight, out of reach of new
   * handles of the same process (measured: not redelivered within 40 s); the two restart cases are
   * then skipped, and such an adapter's durability is proven across real process restarts by the
   * kill -9 crash test (tests/adapters/crash_test.ts). Default true.
   */
  restartInProcess?: boolean;
  /** Restarts the broker; given, the broker-restart case runs. Default: the case is skipped. */
  restartBroker?: () => Promise<void>;
  /**
   * Whether the broker still holds a consumer group of a topic, asked of the broker itself (its
   * queue, consumer or group listing), not of the adapter. Given, the transient-group case runs.
   */
  groupExists?: (topic: string, group: string) => Promise<boolean>;
  /** Deadline for each awaited delivery or condition, in milliseconds. Default 10000. */
  timeoutMs?: number;
  /** Delay asked for in the retry case, in milliseconds. Default 200. */
  retryDelayMs?: number;
  /** Keep Deno's op sanitizer on. Default true. */
  sanitizeOps?: boolean;
  /** Keep Deno's resource sanitizer on. Default true. */
  sanitizeResources?: boolean;
}

/** One case of the suite. */
interface Case {
  name: string;
  ignore?: (adapter: Adapter, options: ConformanceOptions) => boolean;
  fn: (suite: Suite) => Promise<void>;
}

/**
 * Runs the conformance suite against one adapter, one step of `t` per case.
 *
 * @param t the test context of the caller's `Deno.test`
 * @param options how to create the adapter and what it supports
 * @returns resolves when every step ran (a failed step fails the caller's test)
 *
 * @example Run the suite for an adapter, in a test file (it declares a `Deno.test` of its own,
 * which a documentation test cannot, so it is not run as one)
 * ```ts ignore
 * import { adapterConformance } from "./conformance.ts";
 * import { createMemoryAdapter } from "./memory/mod.ts";
 *
 * Deno.test("memory adapter conforms to the delivery contract", (t) =>
 *   adapterConformance(t, {
 *     create: () => Promise.resolve(createMemoryAdapter()),
 *     singleProcess: true,
 *   }));
 * ```
 */
export async function adapterConformance(
  t: Deno.TestContext,
  options: ConformanceOptions,
): Promise<void> {
  for (const testCase of CASES) {
    // A probe per case: what the adapter guarantees decides whether the case applies. Embedded
    // adapters' test helpers start a fresh store after such a probe (one store per case).
    const probe = await options.create();
    const skip = testCase.ignore?.(probe, options) ?? false;
    await probe.close();
    await t.step({
      name: skip ? `${testCase.name} (skipped: not supported by this adapter)` : testCase.name,
      ignore: skip,
      sanitizeOps: options.sanitizeOps ?? true,
      sanitizeResources: options.sanitizeResources ?? true,
      fn: () => testCase.fn(new Suite(options, testCase.name)),
    });
  }
}

const CASES: Case[] = [
  { name: "delivers a published envelope intact", fn: roundTrip },
  { name: "fans a topic out to every consumer group", fn: fanOut },
  {
    name: "shares a group's events between competing instances, each handled once",
    ignore: (_adapter, options) => options.singleProcess === true,
    fn: competingConsumers,
  },
  {
    name: "keeps publish order per topic at concurrency 1",
    ignore: (adapter) => !adapter.guarantees.orderedPerTopic,
    fn: ordering,
  },
  {
    name: "hands a group's events out in queue order at any concurrency",
    ignore: (adapter) => adapter.guarantees.handsOutInOrder !== true,
    fn: handsOutInOrder,
  },
  {
    name: "publishes a batch as one write, in order, skipping claimed keys",
    ignore: (adapter) => adapter.publishBatch === undefined,
    fn: batch,
  },
  { name: "handles as many deliveries at once as its concurrency", fn: concurrency },
  {
    name: "redelivers a delivery its subscriber closed without settling",
    fn: unsettledRedelivered,
  },
  {
    name: "redelivers an unsettled delivery after the adapter restarts",
    ignore: (adapter, options) => !adapter.guarantees.durable || options.restartInProcess === false,
    fn: unsettledAfterRestart,
  },
  { name: "redelivers after the retry delay with the next attempt number", fn: retryDelay },
  { name: "delivers each retry once, whatever delays other retries use", fn: retriesOnce },
  {
    name: "delivers each retry once when many come due while others settle",
    fn: retriesDueTogetherOnce,
  },
  { name: "dead-letters with the error and replays to the same group", fn: deadLetterReplay },
  { name: "replays only the dead letters asked for by id", fn: replayById },
  {
    name: "dead-letters an envelope outside a delivery and replays it to that group alone",
    ignore: (adapter) => adapter.deadLetter === undefined,
    fn: deadLetterOutside,
  },
  {
    name: "dead-letters a publish and replays it to every group",
    ignore: (adapter) => adapter.deadLetter === undefined,
    fn: publishDeadLetter,
  },
  {
    name: "delivers publishes with one idempotency key once",
    ignore: (adapter) => !adapter.guarantees.deduplicates,
    fn: idempotency,
  },
  { name: "lets an in-flight delivery finish when a subscription closes", fn: closeSubscription },
  { name: "lets an in-flight delivery finish when the adapter closes", fn: closeAdapter },
  {
    name: "keeps published events across an adapter restart",
    ignore: (adapter, options) => !adapter.guarantees.durable || options.restartInProcess === false,
    fn: durability,
  },
  {
    name: "a transient group is gone after its subscriber closes",
    ignore: (_adapter, options) => options.groupExists === undefined,
    fn: transientGroup,
  },
  {
    name: "loses nothing when the broker restarts mid-stream",
    ignore: (_adapter, options) => options.restartBroker === undefined,
    fn: brokerRestart,
  },
];
