/**
 * The machine a benchmark ran on, printed first by every benchmark so that each result in
 * BENCHMARKS.md carries it: ratios between machines of one kind differ with the CPU model (clock
 * reads, syscalls, context switches) and the kernel.
 *
 * @module
 */

/** One line: CPU model and count, kernel, Deno version. */
export function machineLine(): string {
  return `machine: ${cpuModel()} x${navigator.hardwareConcurrency}, ${Deno.build.os} ${Deno.osRelease()}, Deno ${Deno.version.deno}`;
}

function cpuModel(): string {
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    const line = info.split("\n").find((l) => l.startsWith("model name"));
    return line?.slice(line.indexOf(":") + 1).trim() ?? "unknown CPU";
  } catch {
    return "unknown CPU";
  }
}
