/**
 * Edges: the public port served by several processes side by side (`reusePort`), each running the
 * default permission profile's TypeScript handlers (with exactly that profile's permissions as its
 * `deno run` flags, so only when it grants `net = true`) in the isolate that took the request, so the common request never crosses an isolate
 * boundary. Everything else (other profiles, Python, WebSockets, the workbench) is forwarded to the
 * main process's internal listener.
 *
 * @module
 */

export { type EdgePool, type EdgePoolOptions, startEdges } from "./edge_pool.ts";
export { edgesDenied, type EdgeShare, edgeShare } from "./_local.ts";
export { EdgeError } from "./errors.ts";
export { INTERNAL_HEADER, PEER_HEADER, type RecordsMessage } from "./protocol.ts";
export {
  autoEdgeCount,
  edgeCount,
  type EdgeServing,
  serveWithEdges,
  type ServeWithEdgesOptions,
} from "./serve_edges.ts";
export { expositionOf, federate, mergeSeries } from "./_federated.ts";
