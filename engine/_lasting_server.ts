/**
 * A `Deno.serve` listener that outlives a failed accept. Deno's accept loop stops for good when
 * `accept()` fails (with "Too many open files" once slow clients hold every descriptor): its
 * `finished` rejects and the port is closed, so one misbehaving client population would take the
 * service down. This listens again on the same address after a backoff, for as long as the server
 * is not shut down, and reports each failure. Connections the old listener accepted keep being
 * served by it.
 *
 * @module
 */

/** Options of {@linkcode serveLasting}. */
export interface LastingServeOptions {
  /** Where to listen; port 0 picks one at the first listen and keeps it. */
  hostname: string;
  /** The port. */
  port: number;
  /** Share the port (Linux `SO_REUSEPORT`). Default false. */
  reusePort?: boolean;
  /** Called once, at the first listen. */
  onListen?: (addr: Deno.NetAddr) => void;
  /** Answers a request whose handler threw. Default: Deno's (500). */
  onError?: (error: unknown) => Response | Promise<Response>;
  /** Told of an accept failure (or a failed listen again) and when the next attempt is. */
  onAcceptError: (error: unknown, retryInMs: number) => void;
  /** First wait before listening again; doubles up to 2 s while listening keeps failing. Default 50. */
  retryMs?: number;
}

/** A listening server. */
export interface LastingServer {
  /** Where it listens. */
  readonly addr: Deno.NetAddr;
  /** Resolves once {@linkcode LastingServer.shutdown} finished. */
  readonly finished: Promise<void>;
  /** Stops accepting and waits for the requests in flight, on every listener it ever had. */
  shutdown(): Promise<void>;
}

const MAX_RETRY_MS = 2_000;

/**
 * Listens like `Deno.serve`, again after an accept failure.
 *
 * @param options address, callbacks
 * @param handler the request handler
 * @returns the server
 */
export function serveLasting(
  options: LastingServeOptions,
  handler: Deno.ServeHandler<Deno.NetAddr>,
): LastingServer {
  const servers: Deno.HttpServer<Deno.NetAddr>[] = [];
  const done = Promise.withResolvers<void>();
  let stopping = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const baseRetry = options.retryMs ?? 50;
  const listen = (hostname: string, port: number, onListen: (addr: Deno.NetAddr) => void) =>
    Deno.serve({
      hostname,
      port,
      onListen,
      ...(options.reusePort ? { reusePort: true } : {}),
      ...(options.onError ? { onError: options.onError } : {}),
    }, handler);
  const watch = (server: Deno.HttpServer<Deno.NetAddr>, retryMs: number) => {
    server.finished.catch((error) => {
      if (stopping) return;
      options.onAcceptError(error, retryMs);
      timer = setTimeout(() => again(retryMs), retryMs);
    });
  };
  const again = (lastRetryMs: number) => {
    if (stopping) return;
    try {
      const server = listen(first.addr.hostname, first.addr.port, () => {});
      servers.push(server);
      watch(server, baseRetry);
    } catch (error) {
      const next = Math.min(lastRetryMs * 2, MAX_RETRY_MS);
      options.onAcceptError(error, next);
      timer = setTimeout(() => again(next), next);
    }
  };
  const first = listen(options.hostname, options.port, (addr) => options.onListen?.(addr));
  servers.push(first);
  watch(first, baseRetry);
  return {
    get addr() {
      return first.addr;
    },
    finished: done.promise,
    async shutdown() {
      stopping = true;
      clearTimeout(timer);
      // A listener whose accept loop already failed is shut down too: its connections drain.
      await Promise.allSettled(servers.map((server) => server.shutdown()));
      done.resolve();
    },
  };
}
