// What the kernel says a process used: CPU time and resident memory from /proc, so a target's cost is
// measured independently of the load generator (and of anything the target says about itself).
import { readFileSync } from 'node:fs'

const TICKS_PER_SECOND = 100 // getconf CLK_TCK on Linux x86-64

/** User + system CPU milliseconds a process has used so far (10 ms resolution). */
export function cpuMs (pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name (field 2) may hold spaces; fields after it start at the closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  return ((utime + stime) * 1000) / TICKS_PER_SECOND
}

/** Resident set size in KiB (VmRSS). */
export function rssKb (pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN)
}

/** Summed CPU milliseconds of several processes (e.g. Mosquitto and its Node subscriber). */
export const totalCpuMs = (pids: readonly number[]): number => pids.reduce((sum, pid) => sum + cpuMs(pid), 0)

/** Measure the CPU the given processes spend while `work` runs: milliseconds of CPU and wall time. */
export async function measureCpu<T> (pids: readonly number[], work: () => Promise<T>): Promise<{ result: T, cpuMs: number, wallMs: number }> {
  const before = totalCpuMs(pids)
  const started = performance.now()
  const result = await work()
  return { result, cpuMs: totalCpuMs(pids) - before, wallMs: performance.now() - started }
}
