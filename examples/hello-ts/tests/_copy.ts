// Copies the example without its local state.

/** Copies a directory tree, skipping `.rohas/`. */
export async function copy(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.name === ".rohas") continue;
    const [source, target] = [`${from}/${entry.name}`, `${to}/${entry.name}`];
    if (entry.isDirectory) await copy(source, target);
    else await Deno.copyFile(source, target);
  }
}
