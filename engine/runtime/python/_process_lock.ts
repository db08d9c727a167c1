/**
 * One Python project at a time per process. libpython is process-wide: Deno test modules running in
 * parallel (separate isolates, one process) would otherwise initialise it twice at once, or mix two
 * projects' `generated` packages in one `sys.modules`. An exclusive `flock` on a per-process file
 * (locks belong to open files, so two isolates of one process exclude each other) serialises them.
 *
 * @module
 */

const PREFIX = "rohas-python-";

function tempDir(): string {
  try {
    return Deno.env.get("TMPDIR") ?? "/tmp";
  } catch {
    return "/tmp";
  }
}

/** Waits until no other Python runtime of this process is running; close the file to release. */
export async function acquireProcessLock(): Promise<Deno.FsFile> {
  const dir = tempDir();
  await removeStaleLocks(dir).catch(() => {});
  const file = await Deno.open(`${dir}/${PREFIX}${Deno.pid}.lock`, {
    create: true,
    write: true,
  });
  try {
    await file.lock(true);
  } catch (error) {
    file.close();
    throw error;
  }
  return file;
}

/** Lock files of processes that no longer exist (Linux: no `/proc/<pid>`). */
async function removeStaleLocks(dir: string): Promise<void> {
  if (Deno.build.os !== "linux") return;
  for await (const entry of Deno.readDir(dir)) {
    const match = /^rohas-python-(\d+)\.lock$/.exec(entry.name);
    if (!match || Number(match[1]) === Deno.pid) continue;
    const alive = await Deno.stat(`/proc/${match[1]}`).then(() => true, () => false);
    if (!alive) await Deno.remove(`${dir}/${entry.name}`).catch(() => {});
  }
}
