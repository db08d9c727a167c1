/**
 * What the broadcast and rolling restart tests add to the cluster harness (`_instances.ts`): their
 * project, WebSocket clients that keep every message they receive, and a JSON POST.
 *
 * @module
 */

/** The project of the broadcast tests. */
export const SOCKETS_FIXTURE = new URL("./broadcast_fixture/", import.meta.url).pathname;

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
