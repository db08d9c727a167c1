/**
 * The admission tickets of WebSocket upgrades that come through an edge process (engine/edge): the
 * edge has the endpoint's middlewares run without upgrading, and the upgrade that follows presents
 * the one-use ticket it got.
 *
 * @module
 */

/**
 * An edge process's WebSocket admission (engine/edge): a request with this header runs the
 * endpoint's middlewares without upgrading and is answered 204 with a one-use ticket
 * ({@linkcode TICKET_HEADER}); the upgrade that follows carries the ticket as the
 * {@linkcode TICKET_PARAM} query parameter and is accepted without running them again. A missing,
 * used or expired ticket runs the middlewares as usual, so a ticket grants nothing they would not.
 */
export const ADMIT_HEADER = "x-rohas-ws-admit";
/** The header of an admission's answer that carries the ticket. */
export const TICKET_HEADER = "x-rohas-ws-ticket";
/** The query parameter of an upgrade that presents a ticket. */
export const TICKET_PARAM = "__rohas_ticket";

/** How long an admission ticket stays valid. */
const TICKET_TTL_MS = 10_000;

/** The tickets issued and not used yet. */
export class AdmissionTickets {
  /** Admission tickets: the endpoint each admits to, and when it expires. */
  #tickets = new Map<string, { endpoint: string; expires: number }>();

  /** Issues a one-use ticket to an endpoint (expired tickets are dropped on the way). */
  issue(endpoint: string): string {
    const now = Date.now();
    for (const [ticket, held] of this.#tickets) {
      if (held.expires < now) this.#tickets.delete(ticket);
    }
    const ticket = crypto.randomUUID();
    this.#tickets.set(ticket, { endpoint, expires: now + TICKET_TTL_MS });
    return ticket;
  }

  /** Whether the upgrade presents a valid ticket for `endpoint` (used up here). */
  redeem(url: string, endpoint: string): boolean {
    const at = url.indexOf(`${TICKET_PARAM}=`);
    if (at < 0) return false;
    const ticket = decodeURIComponent(url.slice(at + TICKET_PARAM.length + 1).split("&")[0]!);
    const held = this.#tickets.get(ticket);
    if (held === undefined) return false;
    this.#tickets.delete(ticket);
    return held.endpoint === endpoint && held.expires >= Date.now();
  }
}
