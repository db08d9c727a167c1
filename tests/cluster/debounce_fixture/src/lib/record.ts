// One line per delivery or run: `<what> <pid>`, appended to out/<file>.log.
const out = new URL("../../out/", import.meta.url);

export function record(file: string, what: string): void {
  Deno.mkdirSync(out, { recursive: true });
  Deno.writeTextFileSync(new URL(`${file}.log`, out), `${what} ${Deno.pid}\n`, { append: true });
}
