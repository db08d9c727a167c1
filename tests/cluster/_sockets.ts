/**
 * Three `rohas start` instances of the broadcast fixture on one broker, each from a copy of the
 * project (its own port and `.rohas/`) under one project name, so they share the broker's groups;
 * and WebSocket clients that keep every message they receive.
 *
 * @module
 */

import { brokerUrl } from "../adapters/_brokers.ts";
import { type ServerProcess, startServer } from "../engine/_server.ts";

/** The project of the broadcast tests. */
export const SOCKETS_FIXTURE = new URL("./broadcast_fixture/", import.meta.url).pathname;

/** The real brokers (scripts/brokers/start.sh). */
export const BROKERS = ["nats", "rabbitmq", "kafka", "sqs"] as const;

/** One of {@linkcode BROKERS}. */
export type Broker = typeof BROKERS[number];

/** The `[adapter]` table of a broker (Kafka: one partition per instance). */
export function adapterTable(broker: Broker): string {
  switch (broker) {
    case "nats":
      return `type = "nats"\nurl = "${brokerUrl("nats")}"`;
    case "rabbitmq":
      return `type = "rabbitmq"\nurl = "${brokerUrl("rabbitmq")}"`;
    case "kafka":
      return `type = "kafka"\nbrokers = "${brokerUrl("kafka")}"\npartitions = 3`;
    case "sqs":
      return `type = "sqs"\nendpoint = "${brokerUrl("sqs")}"\nwait_time_s = 1`;
  }
}

/** Rewrites a project copy's name and `[adapter]` table. */
export async function configure(dir: string, name: string, adapter: string): Promise<void> {
  const file = `${dir}/config/rohas.toml`;
  const text = await Deno.readTextFile(file);
  const renamed = text.replace(/^name = ".*"$/m, `name = "${name}"`);
  const edited = renamed.replace(/^\[adapter\]\ntype = ".*"$/m, `[adapter]\n${adapter}`);
  if (edited === renamed) throw new Error(`${file}: no [adapter] table starting with its type`);
  await Deno.writeTextFile(file, edited);
}

/** Instances of one project on one broker. */
export interface Instances extends AsyncDisposable {
  /** The shared project name. */
  readonly name: string;
  readonly servers: ServerProcess[];
}

/**
 * Starts `count` instances at once under a fresh project name and waits until all listen.
 *
 * @param broker the broker they share
 * @param count how many. Default 3
 * @returns the running instances; dispose to stop them (SIGTERM) and remove the copies
 */
export async function startInstances(broker: Broker, count = 3): Promise<Instances> {
  const name = `sockets-${broker}-${crypto.randomUUID().slice(0, 8)}`;
  const started = await Promise.allSettled(
    Array.from({ length: count }, () =>
      startServer({
        command: "start",
        from: SOCKETS_FIXTURE,
        prepare: (dir) => configure(dir, name, adapterTable(broker)),
      })),
  );
  const servers = started.flatMap((s) => s.status === "fulfilled" ? [s.value] : []);
  const dispose = async () => {
    await Promise.all(servers.map((s) => s[Symbol.asyncDispose]()));
  };
  const failed = started.find((s) => s.status === "rejected");
  if (failed) {
    await dispose();
    throw (failed as PromiseRejectedResult).reason;
  }
  return { name, servers, [Symbol.asyncDispose]: dispose };
}

/** A WebSocket client that keeps every JSON message it receives. */
export class Client {
  readonly messages: Record<string, unknown>[] = [];
  readonly #socket: WebSocket;
  #waiters = new Set<() => void>();
  #closed: Promise<void>;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    this.#closed = new Promise((resolve) => socket.addEventListener("close", () => resolve()));
    socket.onmessage = (e) => {
      this.messages.push(JSON.parse(String(e.data)));
      for (const wake of [...this.#waiters]) wake();
    };
  }

  /**
   * Connects and waits for the `{ connected: <id> }` greeting of the fixture's connect handler.
   *
   * @param url the server's base URL
   * @returns the client and its connection id
   */
  static async open(url: string): Promise<{ client: Client; connectionId: string }> {
    const socket = new WebSocket(`${url.replace(/^http/, "ws")}/room`);
    const client = new Client(socket);
    const hello = await client.waitFor((m) => typeof m.connected === "string", "its greeting");
    return { client, connectionId: hello.connected as string };
  }

  /** Sends a message. */
  send(message: unknown): void {
    this.#socket.send(JSON.stringify(message));
  }

  /** How many messages match. */
  count(match: (m: Record<string, unknown>) => boolean): number {
    return this.messages.filter(match).length;
  }

  /** Resolves with the first message that matches; rejects after the deadline. */
  waitFor(
    match: (m: Record<string, unknown>) => boolean,
    what: string,
    timeoutMs = 20_000,
  ): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.messages.find(match);
        if (found === undefined) return;
        done();
        resolve(found);
      };
      const timer = setTimeout(() => {
        done();
        const got = JSON.stringify(this.messages);
        reject(new Error(`Timed out waiting for ${what}; received ${got}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Closes the connection and waits until it is closed. */
  async close(): Promise<void> {
    this.#socket.close();
    await this.#closed;
  }
}

/** POSTs JSON; the status and the parsed body. */
export async function post(
  url: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}
