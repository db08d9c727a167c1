// Counters kept as files under .rohas/stats/, so every Worker of the pool (and a restarted one)
// sees the same numbers; tests count deliveries with them. Handlers may write there because
// config/rohas.toml grants `write = [".rohas/stats"]`.
const dir = new URL("../../.rohas/stats/", import.meta.url);

// The file name is the key itself ("./" keeps a key like "a:b" from reading as a URL scheme).
function fileOf(key: string): URL {
  return new URL("./" + encodeURIComponent(key), dir);
}

export function bump(key: string): number {
  Deno.mkdirSync(dir, { recursive: true });
  const file = fileOf(key);
  Deno.writeTextFileSync(file, ".", { append: true });
  return Deno.statSync(file).size;
}

export function snapshot(): Record<string, number> {
  const out: [string, number][] = [];
  try {
    for (const entry of Deno.readDirSync(dir)) {
      out.push([entry.name, Deno.statSync(fileOf(entry.name)).size]);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return Object.fromEntries(out.sort(([a], [b]) => (a < b ? -1 : 1)));
}

export function idOf(payload: unknown): string {
  if (payload && typeof payload === "object" && "id" in payload) return String(payload.id);
  return "none";
}
