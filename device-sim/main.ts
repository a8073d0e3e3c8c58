// `npm run sim`: a simulated village of elderly people living alone, on real MQTT against a running
// gateway. Provisions through the admin API (or reuses a devices file), then runs until Ctrl-C or
// --duration real seconds. Exit codes: 0 ok, 1 failure, 2 bad usage.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { writeDevicesFile } from './devices-file.ts'
import { parseScenarios } from './scenarios.ts'
import { parseStart } from './sim-time.ts'
import { announce, prepareVillage, startSimulation } from './run-sim.ts'
import { startWorkers } from './workers.ts'

const number = (min: number, max = Infinity) => (value: string): number => {
  const n = Number(value)
  if (!Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`expected a number in ${min}..${max}`)
  return n
}
const wholeNumber = (min: number) => (value: string): number => {
  const n = number(min)(value)
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected a whole number')
  return n
}
const collect = (value: string, previous: string[] = []): string[] => [...previous, value]
const shard = (value: string): { index: number, count: number } => {
  const m = /^(\d+)\/(\d+)$/.exec(value)
  if (m === null || Number(m[1]) >= Number(m[2])) throw new InvalidArgumentError('expected <index>/<count>, e.g. 0/4')
  return { index: Number(m[1]), count: Number(m[2]) }
}

interface CliOptions {
  url: string
  mqtt: string
  token?: string
  homes: number
  seed: number
  hubRatio: number
  villageName?: string
  speed: number
  start: string
  duration?: number
  devicesFile?: string
  saveDevices?: string
  heartbeat: number
  timestamps: 'auto' | 'always' | 'never'
  stopMoving?: string[]
  sensorDies?: string[]
  hubOffline?: string[]
  hubDrops?: string[]
  flood: number
  shard?: { index: number, count: number }
  workers: number
  progress: number
}

function program (): Command {
  return new Command('anju-sim')
    .description('Simulate a village of PIR sensors and Zigbee2MQTT hubs against an Anju gateway.')
    .option('--url <url>', 'gateway HTTP URL (admin API)', 'http://127.0.0.1:8080')
    .option('--mqtt <url>', 'gateway MQTT URL', 'mqtt://127.0.0.1:1883')
    .addOption(new Option('--token <token>', 'admin bearer token (needed to provision)').env('ANJU_ADMIN_TOKEN'))
    .option('--homes <n>', 'homes to provision', wholeNumber(1), 10)
    .option('--seed <n>', 'PRNG seed: same seed, same village and events', wholeNumber(0), 42)
    .option('--hub-ratio <r>', 'fraction of homes with a Zigbee2MQTT hub', number(0, 1), 0.3)
    .option('--village-name <name>', 'name of the provisioned village (default 模拟村<seed>)')
    .option('--speed <x>', 'simulated seconds per real second (60 = a minute a second)', number(0.001), 60)
    .option('--start <time>', 'simulated start: now, HH:MM (today, village time +08:00) or ISO', 'now')
    .option('--duration <s>', 'stop after this many real seconds (default: until Ctrl-C)', number(0.1))
    .option('--devices-file <json>', 'reuse the devices in this file; provision and save here if it does not exist')
    .option('--save-devices <json>', 'save provisioned device credentials here')
    .option('--heartbeat <s>', 'heartbeat in simulated seconds until the gateway\'s config downlink sets one', wholeNumber(1), 300)
    .addOption(new Option('--timestamps <mode>', 'put simulated time in payload ts (auto: only at speed 1 from now)').choices(['auto', 'always', 'never']).default('auto'))
    .option('--stop-moving <home@time>', 'the person in a home stops moving at a time (repeatable), e.g. 2@+3h', collect)
    .option('--sensor-dies <sensor@time>', 'a sensor dies: connection dropped, last will fires (repeatable)', collect)
    .option('--hub-offline <home@time>', 'a home hub publishes bridge/state offline and disconnects (repeatable)', collect)
    .option('--hub-drops <home@time>', 'a home hub loses power: no DISCONNECT, its last will fires (repeatable)', collect)
    .option('--flood <n>', 'the first n native sensors publish as fast as they can at QoS 0', wholeNumber(0), 0)
    .option('--shard <i/n>', 'run only homes with index % n = i (for several processes on one devices file)', shard)
    .option('--workers <n>', 'run the village in n processes (shards), for load beyond one process', wholeNumber(1), 1)
    .option('--progress <s>', 'seconds between progress lines', number(0.5), 5)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
}

async function main (): Promise<void> {
  const cli = program().parse(process.argv)
  const o = cli.opts<CliOptions>()
  const log = (line: string): void => console.log(line)
  if (o.workers > 1 && o.shard !== undefined) {
    console.error('anju-sim: --workers shards the village itself; do not combine it with --shard')
    process.exit(2)
  }
  let start: number
  let scenarios
  try {
    start = parseStart(o.start, Date.now())
    scenarios = parseScenarios(o, start)
  } catch (err) {
    console.error(`anju-sim: ${(err as Error).message}`)
    process.exit(2)
  }
  const file = await prepareVillage({
    url: o.url, token: o.token, homes: o.homes, seed: o.seed, hubRatio: o.hubRatio, villageName: o.villageName ?? `模拟村${o.seed}`,
    devicesFile: o.devicesFile, saveDevices: o.saveDevices, log
  })
  const runOptions = {
    mqttUrl: o.mqtt, seed: o.seed, speed: o.speed, start, scenarios, flood: o.flood, heartbeatSeconds: o.heartbeat,
    timestamps: o.timestamps, progressSeconds: o.progress
  }
  let stopRun: () => Promise<void>
  if (o.workers > 1) {
    // Workers read the village from a file; without one given, a private temporary copy is used.
    let path = [o.devicesFile, o.saveDevices].find((p) => p !== undefined && existsSync(p))
    let tempDir: string | undefined
    if (path === undefined) {
      tempDir = mkdtempSync(join(tmpdir(), 'anju-sim-'))
      path = join(tempDir, 'devices.json')
      writeDevicesFile(path, file)
    }
    announce(file, { ...runOptions, log })
    const pool = startWorkers(path, o.workers, runOptions, log)
    stopRun = async () => {
      await pool.stop()
      if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true })
    }
    void pool.exited.then(() => stop('all workers exited'))
  } else {
    const run = await startSimulation(file, { ...runOptions, shard: o.shard, log })
    stopRun = () => run.stop()
  }
  let stopping = false
  async function stop (why: string): Promise<void> {
    if (stopping) return
    stopping = true
    log(`stopping (${why})`)
    await stopRun()
    process.exit(0)
  }
  process.once('SIGINT', () => { void stop('SIGINT') })
  process.once('SIGTERM', () => { void stop('SIGTERM') })
  if (o.duration !== undefined) setTimeout(() => { void stop(`--duration ${o.duration}s`) }, o.duration * 1000)
}

main().catch((err: unknown) => {
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2)
  console.error(`anju-sim: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
})
