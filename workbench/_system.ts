/**
 * `/system-metrics`: host CPU percent and RAM, refreshed at most once a second.
 *
 * @module
 */

import { cpus, freemem, totalmem } from "node:os";

/** The `/system-metrics` body. */
export interface SystemMetrics {
  cpu: number;
  ram: { used_mb: number; total_mb: number; percentage: number };
  /** Extension: this process. */
  process: { rss_mb: number; heap_used_mb: number };
}

/** Samples host CPU and memory. */
export class SystemSampler {
  #last: { idle: number; total: number } = cpuTimes();
  #cached: SystemMetrics | null = null;
  #at = 0;
  #now: () => number;

  /** Creates a sampler.
   *
   * @param now the clock. Default `Date.now`
   */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** The current figures (cached for one second). */
  read(): SystemMetrics {
    const now = this.#now();
    if (this.#cached && now - this.#at < 1000) return this.#cached;
    const times = cpuTimes();
    const total = times.total - this.#last.total;
    const idle = times.idle - this.#last.idle;
    this.#last = times;
    const mb = (n: number) => Math.round(n / 1048576 * 10) / 10;
    const totalMem = totalmem();
    const used = totalMem - freemem();
    const memory = Deno.memoryUsage();
    this.#cached = {
      cpu: total > 0 ? Math.round((1 - idle / total) * 1000) / 10 : 0,
      ram: {
        used_mb: mb(used),
        total_mb: mb(totalMem),
        percentage: Math.round(used / totalMem * 1000) / 10,
      },
      process: { rss_mb: mb(memory.rss), heap_used_mb: mb(memory.heapUsed) },
    };
    this.#at = now;
    return this.#cached;
  }
}

function cpuTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const cpu of cpus()) {
    const t = cpu.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}
