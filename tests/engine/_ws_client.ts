// A small WebSocket test client: collects JSON messages, waits for one matching a predicate.

/** A connected client. */
export class WsClient implements AsyncDisposable {
  readonly socket: WebSocket;
  readonly messages: unknown[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<CloseEvent>;
  #waiters = new Set<() => void>();

  constructor(url: string) {
    this.socket = new WebSocket(url);
    const opened = Promise.withResolvers<void>();
    const closed = Promise.withResolvers<CloseEvent>();
    this.opened = opened.promise;
    this.closed = closed.promise;
    this.socket.onopen = () => opened.resolve();
    this.socket.onerror = () => opened.reject(new Error(`WebSocket error on ${url}`));
    this.socket.onclose = (e) => {
      opened.reject(new Error(`Closed before open: ${e.code}`));
      closed.resolve(e);
      for (const w of this.#waiters) w();
    };
    this.opened.catch(() => {});
    this.socket.onmessage = (e) => {
      this.messages.push(typeof e.data === "string" ? JSON.parse(e.data) : e.data);
      for (const w of [...this.#waiters]) w();
    };
  }

  /** Connects and waits until open. */
  static async open(url: string): Promise<WsClient> {
    const client = new WsClient(url);
    await client.opened;
    return client;
  }

  /** Resolves with the first message (received so far or later) matching `match`. */
  next<T = Record<string, unknown>>(
    match: (m: Record<string, unknown>) => boolean,
    timeoutMs = 10_000,
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.messages.find((m) => match(m as Record<string, unknown>));
        if (found === undefined) return;
        done();
        resolve(found as T);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`No matching message; got ${JSON.stringify(this.messages)}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  send(value: unknown): void {
    this.socket.send(typeof value === "string" ? value : JSON.stringify(value));
  }

  async close(): Promise<CloseEvent> {
    if (this.socket.readyState < WebSocket.CLOSING) this.socket.close(1000);
    return await this.closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Sends a raw HTTP upgrade request and returns the response head (status line and headers). */
export async function upgradeHead(port: number, path: string): Promise<string> {
  using conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(upgradeRequest(port, path));
  const buf = new Uint8Array(8192);
  let text = "";
  while (!text.includes("\r\n\r\n")) {
    const n = await conn.read(buf);
    if (n === null) break;
    text += new TextDecoder().decode(buf.subarray(0, n));
  }
  return text.split("\r\n\r\n")[0]!;
}

/** Sends a raw HTTP upgrade request and returns the status line. */
export async function rawUpgrade(port: number, path: string): Promise<string> {
  return (await upgradeHead(port, path)).split("\r\n")[0]!;
}

/** The bytes of a WebSocket upgrade request for `path` on loopback `port`. */
export function upgradeRequest(port: number, path: string): Uint8Array {
  return new TextEncoder().encode([
    `GET ${path} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version: 13",
    "",
    "",
  ].join("\r\n"));
}
