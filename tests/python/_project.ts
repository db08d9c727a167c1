// A throw-away project on disk for the end-to-end tests: files by project-relative path.
import { dirname } from "node:path";

/** A temporary project removed on dispose. */
export interface TempProject extends AsyncDisposable {
  root: string;
}

/**
 * Writes the files (project-relative POSIX paths to contents) into a new temporary folder.
 *
 * @param prefix the temporary folder's name prefix
 * @param files what to write
 * @returns the project; `await using` removes it
 */
export async function tempProject(
  prefix: string,
  files: Record<string, string>,
): Promise<TempProject> {
  const root = await Deno.makeTempDir({ prefix });
  for (const [path, text] of Object.entries(files)) {
    await Deno.mkdir(dirname(`${root}/${path}`), { recursive: true });
    await Deno.writeTextFile(`${root}/${path}`, text);
  }
  return { root, [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }) };
}
