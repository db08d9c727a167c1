// One line per run: `<id> <late ms> <pid>`, appended to out/reminded.log (one short append is
// atomic, so instances writing at once never mix lines).
export function handleRecordReminder(event: { payload: { id: string; dueAt: number } }): void {
  const out = new URL("../../../out/", import.meta.url);
  Deno.mkdirSync(out, { recursive: true });
  const late = Date.now() - event.payload.dueAt;
  Deno.writeTextFileSync(
    new URL("reminded.log", out),
    `${event.payload.id} ${late} ${Deno.pid}\n`,
    {
      append: true,
    },
  );
}
