/**
 * The memory a process tree holds, each physical page counted once: the sum of the processes'
 * resident sets counts the pages they share (the `deno` binary's code, about 26-44 MiB a process)
 * once per process, and PSS divides them with every other process that maps them, other Deno
 * programs on the machine included. Linux `/proc/<pid>/pagemap`; it needs `CAP_SYS_ADMIN` to show
 * page frame numbers (root here).
 *
 * @module
 */

/** Bit 63 of a pagemap entry: the page is present in RAM. */
const PRESENT = 1n << 63n;
/** Bits 0-54: the page frame number. */
const PFN_MASK = (1n << 55n) - 1n;
const PAGE = 4096;

/**
 * The distinct resident pages of some processes, in KiB.
 *
 * @param pids the processes (a server and its edges)
 * @returns the KiB, or null when the kernel hides page frame numbers (no `CAP_SYS_ADMIN`)
 */
export function distinctResidentKiB(pids: readonly number[]): number | null {
  const frames = new Set<bigint>();
  for (const pid of pids) {
    if (!addFrames(pid, frames)) return null;
  }
  return frames.size * (PAGE / 1024);
}

/** Adds the frames of `pid`'s resident pages; false when the frame numbers read as zero. */
function addFrames(pid: number, frames: Set<bigint>): boolean {
  const pagemap = Deno.openSync(`/proc/${pid}/pagemap`, { read: true });
  let present = 0;
  let hidden = 0;
  try {
    for (const [start, end] of residentRanges(pid)) {
      const entries = readEntries(pagemap, start, end);
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i]!;
        if ((entry & PRESENT) === 0n) continue;
        present++;
        const frame = entry & PFN_MASK;
        if (frame === 0n) hidden++;
        else frames.add(frame);
      }
    }
  } finally {
    pagemap.close();
  }
  return present === 0 || hidden < present;
}

/** The address ranges of `pid`'s mappings that have resident pages (from `smaps`). */
function residentRanges(pid: number): [number, number][] {
  const out: [number, number][] = [];
  let range: [number, number] | null = null;
  for (const line of Deno.readTextFileSync(`/proc/${pid}/smaps`).split("\n")) {
    const head = line.match(/^([0-9a-f]+)-([0-9a-f]+) /);
    if (head) range = [parseInt(head[1]!, 16), parseInt(head[2]!, 16)];
    else if (range && line.startsWith("Rss:") && !/^Rss:\s+0 kB/.test(line)) out.push(range);
  }
  return out;
}

function readEntries(pagemap: Deno.FsFile, start: number, end: number): BigUint64Array {
  const bytes = new Uint8Array(((end - start) / PAGE) * 8);
  pagemap.seekSync((start / PAGE) * 8, Deno.SeekMode.Start);
  let read = 0;
  while (read < bytes.length) {
    const n = pagemap.readSync(bytes.subarray(read));
    if (n === null || n === 0) break;
    read += n;
  }
  return new BigUint64Array(bytes.buffer, 0, Math.floor(read / 8));
}
