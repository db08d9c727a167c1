/**
 * Build: the application model compiled into a router of endpoints (APIs and socket endpoints).
 *
 * @module
 */

import type { AppModel, RouteSpec, SocketSpec } from "./app_model.ts";
import { type Router, TrieRouter } from "./router.ts";

/** What a matched path leads to. */
export type Endpoint = { kind: "api"; route: RouteSpec } | { kind: "socket"; socket: SocketSpec };

/** A model ready to serve: the model and its compiled router. Swapped as a whole on reload. */
export interface BuiltApp {
  /** The model the router was compiled from. */
  model: AppModel;
  /** Every API route and socket path, matched by method and path. */
  router: Router<Endpoint>;
  /** Schedules and subscriptions by name, for cron run-now and event wiring. */
  schedulesByName: ReadonlyMap<string, AppModel["schedules"][number]>;
  /** The WebSocket endpoints' names, which `state.broadcast(message, { to })` may name. */
  socketNames: ReadonlySet<string>;
  /**
   * How many deliveries one publish of each event makes: one per handler's consumer group, plus the
   * forwarder of its `triggers:` (`groupsOf` in engine/event_wiring.ts; every publish asks).
   */
  groupsByEvent: ReadonlyMap<string, number>;
}

/** Compiles a model into a router and lookup tables.
 *
 * @param model the application model
 * @returns the built app
 * @throws {RouteConflictError} when two endpoints claim the same method and path
 */
export function buildApp(model: AppModel): BuiltApp {
  const router = new TrieRouter<Endpoint>();
  for (const route of model.routes) {
    router.add(route.method, route.segments, { kind: "api", route }, route.pattern);
  }
  for (const socket of model.sockets) {
    router.add("GET", socket.segments, { kind: "socket", socket }, socket.path);
  }
  return {
    model,
    router,
    schedulesByName: new Map(model.schedules.map((s) => [s.name, s])),
    socketNames: new Set(model.sockets.map((s) => s.name)),
    groupsByEvent: new Map(
      model.events.map((e) => [e.event, e.subscriptions.length + (e.triggers.length > 0 ? 1 : 0)]),
    ),
  };
}
