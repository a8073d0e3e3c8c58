// What the kernel says a process used: CPU time and resident memory from /proc, so a target's cost is
// measured independently of the load generator (and of anything the target says about itself).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'

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

/** The pid of the process holding a listening TCP socket on `port` (from /proc/net/tcp{,6} and /proc/<pid>/fd). */
export function pidListeningOn (port: number): number | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0')
  const inodes = new Set<string>()
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = ''
    try { text = readFileSync(table, 'utf8') } catch { continue }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/)
      // local_address is ADDR:PORT in hex; state 0A is LISTEN; field 9 is the socket's inode.
      if (f[1]?.endsWith(`:${hexPort}`) === true && f[3] === '0A' && f[9] !== undefined) inodes.add(f[9])
    }
  }
  if (inodes.size === 0) return undefined
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let fds: string[] = []
    try { fds = readdirSync(`/proc/${entry}/fd`) } catch { continue }
    for (const fd of fds) {
      let link = ''
      try { link = readlinkSync(`/proc/${entry}/fd/${fd}`) } catch { continue }
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1]
      if (inode !== undefined && inodes.has(inode)) return Number(entry)
    }
  }
  return undefined
}

/** The process and every live descendant (e.g. PostgreSQL's postmaster and its backends). */
export function processTree (pid: number): number[] {
  const parentOf = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
    } catch { /* ended meanwhile */ }
  }
  const tree = [pid]
  for (let i = 0; i < tree.length; i++) {
    for (const [child, parent] of parentOf) if (parent === tree[i]) tree.push(child)
  }
  return tree
}
