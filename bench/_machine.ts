/**
 * The machine a benchmark ran on, printed first by every benchmark so that each result in
 * BENCHMARKS.md carries it: ratios between machines of one kind differ with the CPU model (clock
 * reads, syscalls, context switches) and the kernel. Two virtual machines that both report "AMD
 * EPYC" may run on different hosts: the CPU's family, model and stepping, the idle driver and the
 * clock source tell them apart (BENCHMARKS.md, "A second virtual machine of this kind").
 *
 * @module
 */

/**
 * One line: CPU model and count, kernel, Deno version, then what tells two machines of one model
 * apart (see {@linkcode machineDetails}).
 *
 * @returns the line, starting `machine: `
 */
export function machineLine(): string {
  const details = machineDetails(readOr("/proc/cpuinfo"), {
    idle: readOr("/sys/devices/system/cpu/cpuidle/current_driver"),
    clock: readOr("/sys/devices/system/clocksource/clocksource0/current_clocksource"),
    damon: damonAction(),
  });
  return `machine: ${cpuModel()} x${navigator.hardwareConcurrency}, ${Deno.build.os} ${Deno.osRelease()}, Deno ${Deno.version.deno}${
    details === "" ? "" : ` (${details})`
  }`;
}

/**
 * What tells two machines of one CPU model apart: the first CPU's family, model, stepping and
 * BogoMIPS (`/proc/cpuinfo`), the kernel's idle driver, its clock source, and what the kernel's
 * memory monitor (DAMON) does to cold pages when it runs (such as `pageout`: code paged out and
 * faulted back in). A part that could not be read is left out.
 *
 * @param cpuinfo the text of `/proc/cpuinfo` ("" when unknown)
 * @param system the idle driver and the clock source as their `/sys` files read, and DAMON's
 * action when it runs ("" when unknown or not running)
 * @returns the details, comma-separated; "" when none is known
 * @example
 * ```ts
 * import { machineDetails } from "./_machine.ts";
 *
 * const cpuinfo = "cpu family\t: 25\nmodel\t\t: 1\nmodel name\t: AMD EPYC\nstepping\t: 1\n" +
 *   "bogomips\t: 4890.81\n";
 * console.assert(
 *   machineDetails(cpuinfo, { idle: "none\n", clock: "tsc\n" }) ===
 *     "family 25 model 1 stepping 1, bogomips 4891, idle none, clock tsc",
 * );
 * console.assert(
 *   machineDetails("", { idle: "", clock: "tsc", damon: "pageout\n" }) === "clock tsc, damon pageout",
 * );
 * console.assert(machineDetails("", { idle: "", clock: "kvm-clock" }) === "clock kvm-clock");
 * ```
 */
export function machineDetails(
  cpuinfo: string,
  system: { idle: string; clock: string; damon?: string },
): string {
  const field = (name: string) => {
    const line = cpuinfo.split("\n").find((l) => l.split(":")[0]!.trim() === name);
    return line === undefined ? "" : line.slice(line.indexOf(":") + 1).trim();
  };
  const parts: string[] = [];
  const cpu = ["family", "model", "stepping"]
    .map((name) => [name, field(name === "family" ? "cpu family" : name)] as const)
    .filter(([, value]) => value !== "")
    .map(([name, value]) => `${name} ${value}`);
  if (cpu.length > 0) parts.push(cpu.join(" "));
  const bogomips = Number.parseFloat(field("bogomips"));
  if (Number.isFinite(bogomips)) parts.push(`bogomips ${Math.round(bogomips)}`);
  if (system.idle.trim() !== "") parts.push(`idle ${system.idle.trim()}`);
  if (system.clock.trim() !== "") parts.push(`clock ${system.clock.trim()}`);
  if ((system.damon ?? "").trim() !== "") parts.push(`damon ${system.damon!.trim()}`);
  return parts.join(", ");
}

/** The action of the first scheme of the first DAMON monitor when it runs, else "". */
function damonAction(): string {
  const kdamond = "/sys/kernel/mm/damon/admin/kdamonds/0";
  if (readOr(`${kdamond}/state`).trim() !== "on") return "";
  return readOr(`${kdamond}/contexts/0/schemes/0/action`);
}

function cpuModel(): string {
  const line = readOr("/proc/cpuinfo").split("\n").find((l) => l.startsWith("model name"));
  return line?.slice(line.indexOf(":") + 1).trim() ?? "unknown CPU";
}

/** A file's text, or "" when it cannot be read (another OS, no permission). */
function readOr(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}
