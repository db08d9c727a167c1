/**
 * The bookkeeping every broker adapter (nats, rabbitmq, kafka, sqs) shares: its resolved options
 * (environment, service name, background error sink), whether it is closed, and its live
 * subscriptions, which close together with the adapter.
 *
 * @module
 */

import type { DeliveryHandler } from "../adapter.ts";
import { AdapterClosedError } from "../errors.ts";
import { BrokerError } from "./errors.ts";
import { type BrokerAdapterOptions, processEnv } from "./settings.ts";

/** {@linkcode BrokerAdapterOptions} with every default applied. */
export interface ResolvedBrokerOptions {
  /** The environment consulted for overrides. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The service (project) name, `"rohas"` when not given. */
  readonly service: string;
  /** The background error sink, a no-op when not given. */
  readonly onError: (error: unknown) => void;
}

/** The default service name: streams, queues and topics of a project without a name. */
export const DEFAULT_SERVICE = "rohas";

/**
 * Applies the defaults of {@linkcode BrokerAdapterOptions}.
 *
 * @param options what the caller gave
 * @returns the options with the process environment, `"rohas"` and a no-op sink filled in
 */
export function resolveBrokerOptions(options: BrokerAdapterOptions): ResolvedBrokerOptions {
  return {
    env: options.env ?? processEnv(),
    service: options.service ?? DEFAULT_SERVICE,
    onError: options.onError ?? (() => {}),
  };
}

/** What every broker subscription is for; each adapter adds its broker's names. */
export interface BrokerSubscriptionSpec<S> {
  /** The subscribed topic. */
  topic: string;
  /** The consumer group. */
  group: string;
  /** Called for each delivery. */
  handler: DeliveryHandler;
  /** Deliveries handled at once (at least 1). */
  concurrency: number;
  /** Called once the subscription closed, so the adapter forgets it. */
  onClosed(subscription: S): void;
}

/** An adapter's closed flag and its live subscriptions. */
export class BrokerLifecycle<S extends { close(): Promise<void> }> {
  readonly #type: string;
  readonly #subscriptions = new Set<S>();
  #closed = false;

  /** Creates the bookkeeping of one adapter.
   *
   * @param type the adapter type, for {@linkcode AdapterClosedError}
   */
  constructor(type: string) {
    this.#type = type;
  }

  /** `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The live subscriptions. */
  get subscriptions(): ReadonlySet<S> {
    return this.#subscriptions;
  }

  /** Throws {@linkcode AdapterClosedError} naming `action` once the adapter is closed. */
  assertOpen(action: string): void {
    if (this.#closed) throw new AdapterClosedError(this.#type, action);
  }

  /**
   * What a call needs once the adapter started: throws {@linkcode AdapterClosedError} once closed,
   * {@linkcode BrokerError} before `start()`.
   *
   * @param connection what `start()` set, `null` before
   * @param action what was attempted, for the error message
   * @returns the connection
   */
  live<T>(connection: T | null, action: string): T {
    this.assertOpen(action);
    if (connection === null) {
      throw new BrokerError(`Adapter "${this.#type}" is not started: cannot ${action}`);
    }
    return connection;
  }

  /** Tracks a subscription until it closes. */
  add(subscription: S): void {
    this.#subscriptions.add(subscription);
  }

  /** Forgets a closed subscription. */
  forget(subscription: S): void {
    this.#subscriptions.delete(subscription);
  }

  /**
   * Marks the adapter closed and closes every subscription (each waits for its in-flight
   * deliveries).
   *
   * @returns false when the adapter was closed already (nothing left to disconnect)
   */
  async close(): Promise<boolean> {
    if (this.#closed) return false;
    this.#closed = true;
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.close()));
    return true;
  }
}
