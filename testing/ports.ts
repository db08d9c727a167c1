/**
 * Ports for servers a test or benchmark starts as another process: free when picked, and out of
 * reach of the kernel's ephemeral ports.
 *
 * The usual trick (bind port 0, read the port, release it) hands out a port from the ephemeral
 * range, the same range the kernel gives every outgoing connection: between the release and the
 * server's bind (a `rohas start` takes a second or two to listen, longer under load), a connection
 * made by any other test can take the port, and the server fails with "port is in use". The same
 * happens when an instance restarts on its port. Ports below the ephemeral range are never given
 * to outgoing connections, so only another explicit bind can take them.
 *
 * @example
 * ```ts
 * import { freePorts } from "./ports.ts";
 *
 * const [web, api] = freePorts(2);
 * console.log(web !== api); // true
 * ```
 *
 * @module
 */

/** How many ports below the ephemeral range the picks walk through. */
const SPAN = 6_000;

/** Linux's default first ephemeral port, when `/proc` does not say. */
const DEFAULT_EPHEMERAL_LOW = 32_768;

/** Ports a service of the test set-up listens on inside the span (scripts/brokers). */
const RESERVED = new Set([25_673]);

let range: { low: number; high: number } | undefined;
let next = 0;

/** One port free now, below the ephemeral range. */
export function freePort(): number {
  const [port] = freePorts(1);
  return port!;
}

/**
 * `count` different ports free now, below the ephemeral range. Each is checked by binding it on
 * every interface; the walk starts at a random place, so test files running at once rarely meet.
 */
export function freePorts(count: number): number[] {
  const { low, high } = range ??= pickRange();
  next ||= low + Math.floor(Math.random() * (high - low));
  const ports: number[] = [];
  for (let tried = 0; ports.length < count; tried++) {
    if (tried === high - low) {
      throw new Error(`No free port between ${low} and ${high - 1} (${count} wanted)`);
    }
    const port = next;
    next = next + 1 < high ? next + 1 : low;
    if (!RESERVED.has(port) && isFree(port)) ports.push(port);
  }
  return ports;
}

function pickRange(): { low: number; high: number } {
  const high = ephemeralLow();
  return { low: Math.max(1_024, high - SPAN), high };
}

/** The first port of the kernel's ephemeral range. */
function ephemeralLow(): number {
  try {
    const text = Deno.readTextFileSync("/proc/sys/net/ipv4/ip_local_port_range");
    const low = Number(text.trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 1_024 ? low : DEFAULT_EPHEMERAL_LOW;
  } catch {
    return DEFAULT_EPHEMERAL_LOW;
  }
}

function isFree(port: number): boolean {
  try {
    Deno.listen({ hostname: "0.0.0.0", port }).close();
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) return false;
    throw error;
  }
}
