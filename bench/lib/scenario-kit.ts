// What the three issue 7 scenarios share: the --quick flag, running one target at a time (a crash is
// recorded, not hidden), measuring a window on target and generator alike, and the Mosquitto check.
import { startLoadPool, type LoadPool, type PoolReport } from '../../device-sim/load/load-pool.ts'
import { median, percentile, round } from './bench-stats.ts'
import { recordScenario } from './results.ts'
import { mosquittoAvailable, mosquittoBin, startTarget, TARGET_NAMES, type Target, type TargetName } from './targets.ts'
import type { TargetOptions } from './target-child.ts'

export const quick = process.argv.includes('--quick')
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
export const GENERATOR_WORKERS = Number(process.env.BENCH_WORKERS ?? 2)

/** The targets this machine can run; a missing Mosquitto is said loudly (and fails the run under CI). */
export function runnableTargets (): TargetName[] {
  // BENCH_TARGETS=anju,aedes runs only those (e.g. to profile the gateway alone); the default is all.
  const only = process.env.BENCH_TARGETS?.split(',').map((s) => s.trim())
  if (only !== undefined) return TARGET_NAMES.filter((n) => only.includes(n))
  if (mosquittoAvailable()) return [...TARGET_NAMES]
  console.error(`\n!!! mosquitto not found at ${mosquittoBin()}: the Mosquitto peer is recorded as null${process.env.CI === 'true' ? ' (CI: this run fails)' : ''} !!!\n`)
  return TARGET_NAMES.filter((n) => n !== 'mosquitto')
}

export type Outcome<T> = T | { crashed: string }

/** Start a target and a fresh load pool, run the work, and always stop both. */
export async function withTarget<T> (name: TargetName, options: TargetOptions, work: (target: Target, pool: LoadPool) => Promise<T>): Promise<Outcome<T>> {
  console.log(`-- ${name}: starting with ${options.devices} devices`)
  let target: Target | undefined
  const pool = startLoadPool({ workers: GENERATOR_WORKERS })
  try {
    target = await startTarget(name, options)
    return await work(target, pool)
  } catch (err) {
    const reason = target?.crashed ?? (err instanceof Error ? err.message : String(err))
    console.error(`!!! ${name} failed: ${reason}`)
    return { crashed: reason }
  } finally {
    await pool.disconnect().catch(() => {})
    await pool.close()
    await target?.stop()
  }
}

export interface Window {
  wallMs: number
  ingested: number
  acked: number
  targetCpuMs: number
  /** The same per target process (Mosquitto peer: subscriber, then mosquitto). */
  targetCpuMsByPid: number[]
  /** CPU ms of each generator worker during the window. */
  generatorCpuMs: number[]
  /** publish→PUBACK ms (generator side) and, for the Mosquitto peer, publish ts→validated (subscriber side). */
  ackSamples: number[]
  targetSamples: number[]
  /** Connections that closed on the generator so far (cumulative). */
  closed: number
  /** The target's longest event-loop stall in the window (Node targets; the subscriber for the peer). */
  maxLoopDelayMs: number | null
}

/** Measure `ms` of whatever load is running: target counters, /proc CPU and the generator's reports. */
export async function measureWindow (target: Target, pool: LoadPool, ms: number): Promise<Window> {
  await target.count() // starts a new sample at the target
  const r0 = await pool.report() // and at the generator
  const c0 = await target.count()
  const cpu0 = target.cpuMsByPid()
  const t0 = performance.now()
  await sleep(ms)
  const c1 = await target.count()
  const cpu1 = target.cpuMsByPid()
  const byPid = cpu1.map((c, i) => c - (cpu0[i] ?? 0))
  const wallMs = performance.now() - t0
  const r1: PoolReport = await pool.report()
  return {
    wallMs, ingested: c1.ingested - c0.ingested, acked: r1.acked - r0.acked, targetCpuMs: byPid.reduce((a, b) => a + b, 0), targetCpuMsByPid: byPid,
    generatorCpuMs: r1.workerCpuMs.map((x, i) => round(x - (r0.workerCpuMs[i] ?? 0), 0)),
    ackSamples: r1.samples, targetSamples: c1.samples, closed: r1.closed, maxLoopDelayMs: c1.maxLoopDelayMs ?? null
  }
}

/** After the load stops, wait until the target has taken in what was acknowledged (a queueing peer). */
export async function drain (target: Target, pool: LoadPool, timeoutMs = 60_000): Promise<{ acked: number, ingested: number }> {
  const acked = (await pool.report()).acked
  let last = -1
  let still = 0
  for (let waited = 0; waited < timeoutMs; waited += 250) {
    const { ingested } = await target.count()
    if (ingested >= acked) return { acked, ingested }
    still = ingested === last ? still + 1 : 0
    if (still >= 8) return { acked, ingested } // 2 s without progress: what is missing was dropped
    last = ingested
    await sleep(250)
  }
  return { acked, ingested: (await target.count()).ingested }
}

export const ms = (x: number): number => round(x, 2)
export const p = (samples: number[], q: number): number | null => samples.length > 0 ? ms(percentile(samples, q)) : null
export const med = (xs: number[]): number => median(xs)

/** Record the scenario; a missing Mosquitto fails the run under CI after the figures are written. */
export function finish (name: string, figures: Record<string, unknown> & { summary: string }): never {
  console.log(`\nsummary: ${figures.summary}`)
  recordScenario(name, { ...figures, command: `npm run bench -- ${name}${quick ? ' --quick' : ''}`, quick })
  if (!mosquittoAvailable() && process.env.CI === 'true') {
    console.error('mosquitto missing under CI: failing')
    process.exit(1)
  }
  process.exit(0)
}
