// Shared by the CLI (main.ts) and the demo: get a provisioned village (from a devices file or by
// provisioning it now), then run it against the gateway in real time × speed with progress lines.
import { existsSync } from 'node:fs'
import { readDevicesFile, writeDevicesFile, type DevicesFile } from './devices-file.ts'
import { mqttLinkFactory } from './mqtt-link.ts'
import { AdminApi, provisionVillage } from './provision.ts'
import type { Scenario } from './scenarios.ts'
import { RealtimeScheduler, formatSimTime } from './sim-time.ts'
import { ProgressReporter, SimStats } from './stats.ts'
import { VillageSim, describeVillage } from './village-sim.ts'
import { planVillage } from './village-plan.ts'

export type Log = (line: string) => void

export interface PrepareOptions {
  url: string
  token?: string
  homes: number
  seed: number
  hubRatio: number
  villageName: string
  /** Reuse this file when it exists; otherwise provision and save there (or to `saveDevices`). */
  devicesFile?: string
  saveDevices?: string
  log: Log
}

export async function prepareVillage (o: PrepareOptions): Promise<DevicesFile> {
  if (o.devicesFile !== undefined && existsSync(o.devicesFile)) {
    const file = readDevicesFile(o.devicesFile)
    o.log(`reusing ${file.homes.length} homes of ${file.villageName} from ${o.devicesFile}`)
    return file
  }
  if (o.token === undefined || o.token === '') throw new Error('provisioning needs the admin token (--token or ANJU_ADMIN_TOKEN)')
  const api = new AdminApi(o.url, o.token)
  const plan = planVillage({ seed: o.seed, homes: o.homes, hubRatio: o.hubRatio, grids: Math.max(1, Math.ceil(o.homes / 20)), labelPrefix: o.villageName })
  const gridNames = Array.from({ length: Math.max(1, Math.ceil(o.homes / 20)) }, (_, i) => `第${i + 1}网格`)
  let done = 0
  const file = await provisionVillage(api, {
    villageName: o.villageName,
    gridNames,
    plan,
    seed: o.seed,
    people: true,
    concurrency: 4,
    onHome: () => { if (++done % 100 === 0) o.log(`provisioned ${done}/${plan.length} homes`) }
  })
  const sensors = file.homes.reduce((n, h) => n + h.sensors.length, 0)
  o.log(`provisioned ${file.homes.length} homes (${file.homes.filter((h) => h.kind === 'hub').length} with a Zigbee2MQTT hub), ${sensors} sensors in ${file.villageName} (${file.villageId})`)
  const save = o.saveDevices ?? o.devicesFile
  if (save !== undefined) {
    writeDevicesFile(save, file)
    o.log(`saved device credentials to ${save} (owner-only; it holds secrets)`)
  }
  return file
}

export interface RunOptions {
  mqttUrl: string
  seed: number
  speed: number
  start: number
  scenarios: Scenario[]
  flood: number
  heartbeatSeconds: number
  timestamps: 'auto' | 'always' | 'never'
  shard?: { index: number, count: number }
  progressSeconds: number
  /** Wall-clock instant of the simulated start; default now. Workers get the parent's, so their clocks agree. */
  realStart?: number
  /** A worker process: no home list, progress or summary lines (the parent prints those). */
  quiet?: boolean
  log: Log
}

/** See village-sim.ts: a simulated `ts` is only honest when simulated time is the wall clock. */
export function includeTimestamps (o: Pick<RunOptions, 'timestamps' | 'speed' | 'start'>, realNow = Date.now()): boolean {
  return o.timestamps === 'always' || (o.timestamps === 'auto' && o.speed === 1 && Math.abs(o.start - realNow) < 60_000)
}

/** Lines printed before a run: the home and sensor numbers the scenario flags take, and the clock. */
export function announce (file: DevicesFile, o: Pick<RunOptions, 'timestamps' | 'speed' | 'start' | 'flood' | 'heartbeatSeconds' | 'log'>): void {
  for (const line of describeVillage(file, o.flood)) o.log(line)
  // A native sensor sends speed/heartbeat heartbeats per real second on top of its motion reports;
  // the gateway's default per-client budget is 20 msg/s (mqtt.ratePerSecond).
  const perClient = o.speed / o.heartbeatSeconds
  if (perClient > 5) o.log(`warning: at speed ${o.speed} each sensor sends ~${perClient.toFixed(0)} heartbeats/s; the gateway may rate-limit and disconnect it`)
  o.log(`simulating at ${o.speed}× from ${formatSimTime(o.start)} village time (+08:00); payload ts ${includeTimestamps(o) ? 'included' : 'omitted'}`)
}

export interface SimRun {
  sim: VillageSim
  stats: SimStats
  scheduler: RealtimeScheduler
  stop(): Promise<void>
}

export async function startSimulation (file: DevicesFile, o: RunOptions): Promise<SimRun> {
  const stats = new SimStats()
  const includeTs = includeTimestamps(o)
  if (o.quiet !== true) announce(file, o)
  const scheduler = new RealtimeScheduler(o.start, o.speed, Date.now, o.realStart ?? Date.now())
  const links = mqttLinkFactory({ url: o.mqttUrl, stats, onRefused: (id, message) => o.log(`refused by the gateway: ${id}: ${message}`) })
  const sim = new VillageSim({ file, seed: o.seed, scheduler, links, stats, scenarios: o.scenarios, flood: o.flood, includeTs, heartbeatSeconds: o.heartbeatSeconds, shard: o.shard, log: o.log })
  const progress = new ProgressReporter(stats)
  const timer = setInterval(() => { if (o.quiet !== true) o.log(progress.line(scheduler.now())) }, o.progressSeconds * 1000)
  timer.unref()
  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      clearInterval(timer)
      await sim.stop()
      if (o.quiet !== true) o.log(`stopped: ${progress.summary(scheduler.now())}`)
    })()
    return stopping
  }
  try {
    await sim.start()
  } catch (err) {
    await stop()
    throw err
  }
  return { sim, stats, scheduler, stop }
}
