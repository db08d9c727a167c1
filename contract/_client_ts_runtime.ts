/**
 * The fixed part of every TypeScript client: options, `HttpError`, the request helper and the typed
 * socket. It is written without template literals so it can live in one here.
 *
 * @module
 */

/** The source text, inserted after the schema's types. */
export const CLIENT_TS_RUNTIME = `/** The body of every error answer. */
export interface ErrorBody {
  /** What went wrong, for people. */
  error: string;
  /** Per-field problems (\`[{ path, message }]\` for a body that does not validate), or what the
   * handler attached. */
  details?: unknown;
  /** The request's trace id. */
  trace_id: string;
}

/** A failed call: the status, the server's message, its details and trace id. */
export class HttpError extends Error {
  override name = "HttpError";
  /** The HTTP status. */
  readonly status: number;
  /** The error body's \`details\`, if any. */
  readonly details: unknown;
  /** The request's trace id (from the body, else the \`X-Rohas-Trace-Id\` header). */
  readonly traceId: string | null;

  /** Creates the error of a failed answer. */
  constructor(status: number, body: Partial<ErrorBody>, traceId: string | null) {
    super(typeof body.error === "string" ? body.error : "Request failed with status " + status);
    this.status = status;
    this.details = body.details;
    this.traceId = typeof body.trace_id === "string" ? body.trace_id : traceId;
  }
}

/** Headers sent with every request, or a function returning them (called per request). */
export type HeadersOption =
  | Record<string, string>
  | (() => Record<string, string> | Promise<Record<string, string>>);

/** Options of {@linkcode RohasClient}. */
export interface ClientOptions {
  /** The server, such as \`http://127.0.0.1:3000\` (a path prefix is kept). */
  baseUrl: string | URL;
  /** Headers sent with every request. */
  headers?: HeadersOption;
  /** The fetch to use. Default: the global \`fetch\`. */
  fetch?: typeof fetch;
}

/** Options of one call. */
export interface CallOptions {
  /** More headers for this call. */
  headers?: Record<string, string>;
  /** More query parameters for this call. */
  query?: Record<string, string | string[]>;
  /** Cancels the call. */
  signal?: AbortSignal;
}

/** Options of a WebSocket connection. Browsers cannot set headers on a WebSocket. */
export interface SocketOptions {
  /** Query parameters, such as a token. */
  query?: Record<string, string>;
  /** Subprotocols. */
  protocols?: string | string[];
}

type QueryValue = string | number | boolean | null | undefined | readonly QueryValue[];

/** The transport shared by every generated method. */
export class ClientBase {
  #baseUrl: string;
  #headers: HeadersOption;
  #fetch: typeof fetch;

  /** Creates a client of the server at \`options.baseUrl\`. */
  constructor(options: ClientOptions) {
    this.#baseUrl = String(options.baseUrl).replace(/\\/+$/, "");
    this.#headers = options.headers ?? {};
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** Sends a request and returns the answer's \`data\`; throws {@linkcode HttpError} on failure. */
  protected async call<T>(
    method: string,
    path: string,
    request: { options: CallOptions; body?: unknown; query?: object },
  ): Promise<T> {
    const url = new URL(this.#baseUrl + path);
    appendQuery(url, (request.query ?? {}) as Record<string, QueryValue>);
    appendQuery(url, request.options.query ?? {});
    const base = typeof this.#headers === "function" ? await this.#headers() : this.#headers;
    const headers = new Headers({ accept: "application/json", ...base });
    for (const [k, v] of Object.entries(request.options.headers ?? {})) headers.set(k, v);
    const init: RequestInit = { method, headers };
    if (request.options.signal) init.signal = request.options.signal;
    if (request.body !== undefined) {
      headers.set("content-type", "application/json");
      init.body = JSON.stringify(request.body);
    }
    const response = await this.#fetch(url, init);
    const traceId = response.headers.get("x-rohas-trace-id");
    const text = await response.text();
    const json = response.headers.get("content-type")?.includes("json") === true && text !== ""
      ? JSON.parse(text)
      : text;
    if (!response.ok) {
      throw new HttpError(response.status, typeof json === "object" && json ? json : {}, traceId);
    }
    return (isObject(json) && "data" in json ? json.data : json) as T;
  }

  /** Opens a WebSocket on \`path\`. */
  protected socket<T>(path: string, options: SocketOptions): RohasSocket<T> {
    const url = new URL(this.#baseUrl.replace(/^http/, "ws") + path);
    appendQuery(url, options.query ?? {});
    return new RohasSocket<T>(new WebSocket(url, options.protocols));
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function appendQuery(url: URL, query: Record<string, QueryValue>): void {
  for (const [key, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null) url.searchParams.append(key, String(item));
    }
  }
}

/** How a socket closed. */
export interface SocketClose {
  code: number;
  reason: string;
}

/** A typed WebSocket: \`send\` takes the endpoint's message type; what arrives is JSON. */
export class RohasSocket<T> {
  /** The underlying socket. */
  readonly socket: WebSocket;
  /** Resolves once the connection is open; rejects if it fails first. */
  readonly opened: Promise<void>;
  /** Resolves when the connection closes. */
  readonly closed: Promise<SocketClose>;
  #received: unknown[] = [];
  #waiting: { resolve: (v: unknown) => void; reject: (e: Error) => void }[] = [];
  #close: SocketClose | null = null;

  /** Wraps an opening WebSocket. */
  constructor(socket: WebSocket) {
    this.socket = socket;
    this.opened = new Promise((resolve, reject) => {
      socket.addEventListener("open", () => resolve(), { once: true });
      socket.addEventListener("error", () => reject(new Error("WebSocket failed")), { once: true });
    });
    this.opened.catch(() => {});
    this.closed = new Promise((resolve) => {
      socket.addEventListener("close", (event) => {
        this.#close = { code: event.code, reason: event.reason };
        for (const w of this.#waiting.splice(0)) {
          w.reject(new Error("WebSocket closed with code " + event.code));
        }
        resolve(this.#close);
      });
    });
    socket.addEventListener("message", (event) => {
      const value: unknown = typeof event.data === "string" ? JSON.parse(event.data) : event.data;
      const waiter = this.#waiting.shift();
      if (waiter) waiter.resolve(value);
      else this.#received.push(value);
    });
  }

  /** Sends a message as JSON. */
  send(message: T): void {
    this.socket.send(JSON.stringify(message));
  }

  /** The next message from the server; rejects once the socket is closed. */
  next(): Promise<unknown> {
    if (this.#received.length > 0) return Promise.resolve(this.#received.shift());
    if (this.#close) return Promise.reject(new Error("WebSocket closed"));
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  /** Closes the connection and waits until it is closed. */
  close(code = 1000, reason = ""): Promise<SocketClose> {
    this.socket.close(code, reason);
    return this.closed;
  }
}`;
