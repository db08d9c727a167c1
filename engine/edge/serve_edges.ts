/**
 * Serving a project through edge processes: how many, the main process's internal listener (which
 * trusts the client address an edge names only with the edge token), and the pool on the public
 * port.
 *
 * @module
 */

import type { LastingServer } from "../_lasting_server.ts";
import type { Schema } from "../../parser/mod.ts";
import type { RohasConfig } from "../../project/mod.ts";
import type { AppModel } from "../app_model.ts";
import type { Engine } from "../app.ts";
import type { RequestInfo } from "../http_pipeline.ts";
import type { EngineMode } from "../parts.ts";
import { edgeShare } from "./_local.ts";
import { type EdgePool, startEdges } from "./edge_pool.ts";
import { HOST_HEADER, INTERNAL_HEADER, PEER_HEADER, type RecordsMessage } from "./protocol.ts";
import { randomSecret, sameSecret } from "./_secret.ts";
import type { KvHost } from "../../state/mod.ts";

/** The most edges `"auto"` starts. */
const AUTO_MAX = 8;

/**
 * How many edges serve: `[server] workers`, where `"auto"` is none in dev (hot reload swaps modules
 * in the main process's Workers) and one fewer than the cores (1 to 8) in production on Linux
 * (the only system where `reusePort` spreads connections); none when no route could run on an edge (every
 * handler is Python or has permissions of its own, or the default profile does not grant
 * `net = true`, which an edge's listening and reaching the main process would widen).
 *
 * @param config the resolved config
 * @param model the application model
 * @param options the mode and project root
 * @returns the number of edges, 0 for none
 */
export function edgeCount(
  config: RohasConfig,
  model: AppModel,
  options: { mode: EngineMode; root: string },
): number {
  const wanted = config.server.workers === "auto"
    ? (options.mode === "dev" || Deno.build.os !== "linux" ? 0 : autoEdgeCount())
    : config.server.workers;
  if (wanted === 0) return 0;
  return edgeShare(model, config.permissions, options.root).routes.length === 0 ? 0 : wanted;
}

/**
 * How many edges `workers = "auto"` starts on Linux in production (see {@linkcode edgeCount}): one
 * core fewer than the machine has, at least one, at most eight.
 *
 * @returns the count on this machine
 * @example
 * ```ts
 * import { autoEdgeCount } from "./serve_edges.ts";
 * autoEdgeCount(); // 1 on 2 cores, 7 on 8
 * ```
 */
export function autoEdgeCount(): number {
  // The main process (events, crons, telemetry's store, sockets) takes the remaining core. On 2
  // cores one edge served as many requests as two (paired x0.97, rounds 0.91–1.05) at x0.86 the CPU
  // per request, and the tree idles at 135 MiB instead of 193: a second edge is a third process's
  // binary pages and heap (BENCHMARKS.md, "How many edges").
  return Math.max(1, Math.min(AUTO_MAX, (navigator.hardwareConcurrency || 1) - 1));
}

/** Options of {@linkcode serveWithEdges}. */
export interface ServeWithEdgesOptions {
  count: number;
  engine: Engine;
  root: string;
  config: RohasConfig;
  schema: Schema;
  mode: EngineMode;
  /** Takes the records an edge's recorder wrote (`forward` telemetry). */
  ingest: (records: RecordsMessage) => void;
  /** The shared state, which answers the edges' `state.kv` operations. */
  kv: KvHost;
  /** Told when an edge was replaced. */
  onRestart?: (slot: number, reason: string) => void;
}

/**
 * Whether edges keep their telemetry (memory and prometheus: per process by nature, read through
 * {@linkcode federate}) or send the records their recorders write to the main process (a store one
 * process owns, such as rocksdb, or a database the main process writes).
 *
 * @param type `[telemetry] type`
 * @returns `local` or `forward`
 */
export function edgeTelemetryMode(type: string): "local" | "forward" {
  return type === "memory" || type === "prometheus" ? "local" : "forward";
}

/** The public address, the internal server and the edges. */
export interface EdgeServing {
  addr: Deno.NetAddr;
  internal: LastingServer;
  edges: EdgePool;
}

/**
 * Starts the internal listener on loopback, then the edges on `[server] host:port`.
 *
 * @param options the engine, the app and where telemetry goes
 * @returns the public address, the internal server and the pool
 * @throws {EdgeError} when an edge cannot start
 */
export async function serveWithEdges(options: ServeWithEdgesOptions): Promise<EdgeServing> {
  const { engine, config } = options;
  const token = randomSecret();
  const bound = Promise.withResolvers<Deno.NetAddr>();
  const internal = engine.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: (addr) => bound.resolve(addr),
    peer: (request, info) => trustedPeer(request, info, token),
  });
  const internalAddr = await bound.promise;
  const hostname = config.server.host;
  const port = claimPort(hostname, config.server.port);
  try {
    const edges = await startEdges({
      count: options.count,
      root: options.root,
      config,
      schema: options.schema,
      model: engine.model(),
      mode: options.mode,
      listen: { hostname, port },
      internal: { url: `http://127.0.0.1:${internalAddr.port}`, token },
      publish: (topic, payload, publishOptions) => engine.publish(topic, payload, publishOptions),
      ...(engine.publishSeries === undefined ? {} : { publishSeries: engine.publishSeries }),
      ingest: options.ingest,
      answerKv: (request) => options.kv.answer(request),
      telemetry: edgeTelemetryMode(config.telemetry.type),
      ...(options.onRestart ? { onRestart: options.onRestart } : {}),
    });
    return { addr: { transport: "tcp", hostname, port }, internal, edges };
  } catch (error) {
    await internal.shutdown();
    throw error;
  }
}

/**
 * Checks that the port is free (0: finds one) by binding it without `reusePort` and letting it go:
 * edges bind with `reusePort`, which would otherwise join the listeners of another server that
 * runs on this port with it and quietly share its traffic.
 *
 * @throws {Deno.errors.AddrInUse} when anything listens there
 */
function claimPort(hostname: string, wanted: number): number {
  const listener = Deno.listen({ hostname, port: wanted });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/**
 * The client and `Host` an edge names, when the request carries the edge token; else the socket's
 * peer (and the request's own `Host`).
 */
function trustedPeer(
  request: Request,
  info: Deno.ServeHandlerInfo<Deno.NetAddr>,
  token: string,
): RequestInfo {
  if (!sameSecret(token, request.headers.get(INTERNAL_HEADER) ?? "")) return info;
  const peer = request.headers.get(PEER_HEADER);
  const host = request.headers.get(HOST_HEADER);
  const colon = peer?.lastIndexOf(":") ?? -1;
  return {
    remoteAddr: peer === null
      ? info.remoteAddr
      : { hostname: peer.slice(0, colon), port: Number(peer.slice(colon + 1)) },
    ...(host === null ? {} : { host }),
  };
}
