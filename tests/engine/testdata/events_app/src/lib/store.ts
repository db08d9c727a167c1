// Counters kept as files under .rohas/stats/ (one byte per bump), so every Worker and the test see
// the same numbers.
const dir = new URL("../../.rohas/stats/", import.meta.url);

export function bump(key: string): void {
  Deno.mkdirSync(dir, { recursive: true });
  Deno.writeTextFileSync(new URL("./" + encodeURIComponent(key), dir), ".", { append: true });
}

/** Appends text to a file of its own beside the counters (read with `Deno.readTextFile`). */
export function append(name: string, text: string): void {
  Deno.mkdirSync(dir, { recursive: true });
  Deno.writeTextFileSync(new URL("./" + encodeURIComponent(name), dir), text, { append: true });
}

export function snapshot(): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const entry of Deno.readDirSync(dir)) {
      out[decodeURIComponent(entry.name)] = Deno.statSync(new URL("./" + entry.name, dir)).size;
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return out;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
