// One line per run: `<id> <late ms> <pid> <published late ms>` (how late it ran, and how late its
// envelope was published), appended to out/reminded.log (one short append is atomic, so instances
// writing at once never mix lines).
export function handleRecordReminder(
  event: { payload: { id: string; dueAt: number }; timestamp: string },
): void {
  const out = new URL("../../../out/", import.meta.url);
  Deno.mkdirSync(out, { recursive: true });
  const late = Date.now() - event.payload.dueAt;
  const published = Date.parse(event.timestamp) - event.payload.dueAt;
  const line = `${event.payload.id} ${late} ${Deno.pid} ${published}\n`;
  Deno.writeTextFileSync(new URL("reminded.log", out), line, { append: true });
}
