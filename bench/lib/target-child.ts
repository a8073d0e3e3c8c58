// The child side of a benchmark target (anju-target.ts, aedes-target.ts, mosquitto-target.ts): each
// target runs in its own process so /proc CPU and RSS are the target's alone. It answers the parent's
// requests over IPC and exits when the parent goes away, so no broker outlives a benchmark.
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { LoadCred } from '../../device-sim/load/load-protocol.ts'

export interface TargetOptions {
  devices: number
  /** Per-device token bucket of the gateway (ignored by the peers, which have none). */
  ratePerSecond?: number
  rateBurst?: number
}

export type ToTarget = { type: 'count' } | { type: 'finish' } | { type: 'stop' }

export interface TargetCount {
  /** Messages the target took in so far (its own definition; see targets.ts). */
  ingested: number
  /** Latency ms measured inside the target (Mosquitto peer: publish ts → stored), since the last count. */
  samples: number[]
  /** The target's longest event-loop stall (ms) since the last count; null for a non-Node broker. */
  maxLoopDelayMs?: number | null
}

export interface TargetFinish {
  /** Points found in the telemetry store after a flush; null where the target stores nothing. */
  persisted: number | null
  details: Record<string, unknown>
}

export type FromTarget =
  | { type: 'ready', url: string, creds: LoadCred[], extraPids: number[], notes: string[] }
  | ({ type: 'count' } & TargetCount)
  | ({ type: 'finished' } & TargetFinish)
  | { type: 'crashed', message: string }

const send = (msg: FromTarget): void => { if (process.connected) process.send?.(msg) }

export const targetOptions = (): TargetOptions => JSON.parse(process.argv[2] ?? '{}') as TargetOptions

/** Fake credentials for the peers, which accept anyone: the same id shape as the gateway's devices. */
export const peerCreds = (n: number): LoadCred[] =>
  Array.from({ length: n }, (_, i) => ({ id: `dev-bench${String(i).padStart(6, '0')}`, secret: 'unused-by-peer' }))

export function serveTarget (ready: Extract<FromTarget, { type: 'ready' }>, handlers: { count(): Promise<TargetCount>, finish(): Promise<TargetFinish>, stop(): Promise<void> }): void {
  let stopping = false
  const profile = windowProfiler()
  const stop = async (): Promise<void> => {
    if (stopping) return
    stopping = true
    try { await profile.end(); await handlers.stop() } finally { process.exit(0) }
  }
  // A stalled event loop holds every PUBACK: worth seeing beside the latencies.
  const loop = monitorEventLoopDelay({ resolution: 10 })
  loop.enable()
  process.on('message', (msg: ToTarget) => {
    if (msg.type === 'stop') { void stop(); return }
    if (msg.type === 'count') void profile.begin()
    if (msg.type === 'finish') void profile.end()
    const reply = msg.type === 'count'
      ? handlers.count().then((c): FromTarget => {
        const maxLoopDelayMs = Math.round(loop.max / 1e6)
        loop.reset()
        return { type: 'count', maxLoopDelayMs, ...c }
      })
      : handlers.finish().then((f): FromTarget => ({ type: 'finished', ...f }))
    reply.then(send, (err: Error) => send({ type: 'crashed', message: err.message }))
  })
  process.on('disconnect', () => { void stop() })
  send(ready)
}

/**
 * BENCH_TARGET_PROF=<dir>: a V8 CPU profile of the target from the parent's first count (after connecting
 * and the warm-up, i.e. the measured load) to its finish, written as <dir>/<pid>.cpuprofile. Taken here,
 * not with --cpu-prof, which writes at exit: a gateway closing 10,000 sockets can outlive the parent's
 * stop timeout and be killed before it writes anything.
 */
function windowProfiler (): { begin(): Promise<void>, end(): Promise<void> } {
  const dir = process.env.BENCH_TARGET_PROF
  let session: Session | undefined
  let done = false
  return {
    async begin () {
      if (dir === undefined || session !== undefined || done) return
      session = new Session()
      session.connect()
      await session.post('Profiler.enable')
      await session.post('Profiler.start')
    },
    async end () {
      if (dir === undefined || session === undefined) return
      const s = session
      session = undefined
      done = true
      const { profile } = await s.post('Profiler.stop')
      writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(profile))
      s.disconnect()
    }
  }
}

/** A target that throws is recorded as crashed (honestly), not restarted or hidden. */
export function reportCrashes (): void {
  const crash = (err: unknown): void => {
    send({ type: 'crashed', message: err instanceof Error ? err.message : String(err) })
    setTimeout(() => process.exit(3), 200)
  }
  process.on('uncaughtException', crash)
  process.on('unhandledRejection', crash)
}
