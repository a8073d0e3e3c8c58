// The three systems the issue 7 benchmarks compare, each started in process(es) of its own: the full
// Anju gateway, bare aedes, and Mosquitto plus a Node subscriber that validates and stores (see the
// *-target.ts child scripts). The parent reads their CPU and RSS from /proc and asks them over IPC what
// they ingested. Every child is killed when the benchmark exits, however it exits.
import { fork, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { LoadCred } from '../../device-sim/load/load-protocol.ts'
import { cpuMs, rssKb } from './proc.ts'
import type { FromTarget, TargetCount, TargetFinish, TargetOptions, ToTarget } from './target-child.ts'

export type TargetName = 'anju' | 'aedes' | 'mosquitto'
export const TARGET_NAMES: readonly TargetName[] = ['anju', 'aedes', 'mosquitto']

export const mosquittoBin = (): string => process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto'
export const mosquittoAvailable = (): boolean => existsSync(mosquittoBin())

/** What each target's "ingested" and latency mean, printed and recorded with every scenario. */
export const DEFINITIONS: Record<TargetName, string> = {
  anju: 'full gateway; ingested = anju_messages_in_total{type="status"|"motion"} (authenticated, ACL, token bucket, zod-validated; a motion rising edge is an activity point queued for the embedded store and an event for the alert engine, a heartbeat updates device health and is sampled into the store); latency = publish→PUBACK, which the gateway sends only after authorizePublish validated and ingested the message, so an upper bound of publish→ingested',
  aedes: 'bare aedes 1.x, default options, no hooks; ingested = client PUBLISHes the broker processed (no validation, no storage); latency = publish→PUBACK',
  mosquitto: 'Mosquitto + one Node subscriber (QoS 1) that JSON.parses, validates with the same zod schema and writes the same embedded store; ingested = messages the subscriber validated and queued for the store; latency = payload ts → validated at the subscriber (same clock); CPU = mosquitto + subscriber'
}

export interface Target {
  readonly name: TargetName
  readonly url: string
  readonly creds: LoadCred[]
  readonly notes: string[]
  /** The processes whose CPU is the target's (Mosquitto peer: broker and subscriber). */
  readonly pids: number[]
  /** The broker process, whose RSS grows with connections. */
  readonly brokerPid: number
  /** Set when the target died or threw: recorded, never hidden. */
  crashed: string | null
  count(): Promise<TargetCount>
  finish(): Promise<TargetFinish>
  cpuMs(): number
  /** CPU ms of each of `pids`, in that order. */
  cpuMsByPid(): number[]
  rssKb(): number
  stop(): Promise<void>
}

const children = new Set<ChildProcess>()
const strays = new Set<number>()
function killAll (): void {
  for (const child of children) child.kill('SIGKILL')
  for (const pid of strays) { try { process.kill(pid, 'SIGKILL') } catch { /* already gone */ } }
}
process.on('exit', killAll)
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => { killAll(); process.exit(130) })

/** End the benchmark (children included) if it has not finished by itself in `ms`. */
export function watchdog (ms: number): void {
  setTimeout(() => { console.error(`benchmark still running after ${Math.round(ms / 1000)} s: giving up`); process.exit(1) }, ms).unref()
}

export async function startTarget (name: TargetName, options: TargetOptions): Promise<Target> {
  const script = fileURLToPath(new URL(`./${name}-target.ts`, import.meta.url))
  // BENCH_TARGET_PROF=<dir>: each Node target profiles its measured load itself (target-child.ts).
  // BENCH_TARGET_NODE_FLAGS="--flag ...": extra V8/Node flags for the Node targets (to try a tuning).
  const execArgv = [...(process.env.BENCH_TARGET_NODE_FLAGS?.split(' ').filter((f) => f !== '') ?? []), '--import', 'tsx']
  const child = fork(script, [JSON.stringify(options)], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  children.add(child)
  const waiting: Array<{ resolve: (m: FromTarget) => void, reject: (e: Error) => void }> = []
  let crashed: string | null = null
  const fail = (reason: string): void => {
    crashed ??= reason
    for (const w of waiting.splice(0)) w.reject(new Error(`${name} crashed: ${reason}`))
  }
  child.on('message', (m: FromTarget) => {
    if (m.type === 'crashed') fail(m.message)
    else waiting.shift()?.resolve(m)
  })
  child.on('exit', (code, signal) => { children.delete(child); if (!stopping) fail(`exited (${String(code ?? signal)})`) })
  let stopping = false
  const ask = (msg: ToTarget | null): Promise<FromTarget> => new Promise((resolve, reject) => {
    if (crashed !== null) { reject(new Error(`${name} crashed: ${crashed}`)); return }
    waiting.push({ resolve, reject })
    if (msg !== null) child.send(msg)
  })

  const ready = await ask(null)
  if (ready.type !== 'ready') throw new Error(`${name}: unexpected ${ready.type}`)
  for (const pid of ready.extraPids) strays.add(pid)
  const pids = [child.pid as number, ...ready.extraPids]
  const brokerPid = ready.extraPids[0] ?? (child.pid as number)
  return {
    name, url: ready.url, creds: ready.creds, notes: ready.notes, pids, brokerPid,
    get crashed () { return crashed },
    set crashed (v) { crashed = v },
    async count () {
      const m = await ask({ type: 'count' })
      if (m.type !== 'count') throw new Error(`${name}: unexpected ${m.type}`)
      return { ingested: m.ingested, samples: m.samples, maxLoopDelayMs: m.maxLoopDelayMs ?? null }
    },
    async finish () {
      const m = await ask({ type: 'finish' })
      if (m.type !== 'finished') throw new Error(`${name}: unexpected ${m.type}`)
      return { persisted: m.persisted, details: m.details }
    },
    cpuMs: () => pids.reduce((n, pid) => n + cpuMs(pid), 0),
    cpuMsByPid: () => pids.map((pid) => cpuMs(pid)),
    rssKb: () => rssKb(brokerPid),
    async stop () {
      stopping = true
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      child.send({ type: 'stop' } satisfies ToTarget)
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
      for (const pid of ready.extraPids) { try { process.kill(pid, 'SIGKILL') } catch { /* stopped with its parent */ } strays.delete(pid) }
    }
  }
}
