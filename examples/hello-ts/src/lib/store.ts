// In-memory counters shared by the handlers of one Worker, so tests can count deliveries.
const counters = new Map<string, number>();

export function bump(key: string): number {
  const next = (counters.get(key) ?? 0) + 1;
  counters.set(key, next);
  return next;
}

export function snapshot(): Record<string, number> {
  return Object.fromEntries([...counters].sort(([a], [b]) => (a < b ? -1 : 1)));
}

export function idOf(payload: unknown): string {
  if (payload && typeof payload === "object" && "id" in payload) return String(payload.id);
  return "none";
}
