// Orchestration: the devices of a provisioned village, their routines, heartbeats and scenarios, on an
// injected scheduler (real time × speed, or stepped in tests) and an injected MQTT link factory.
//
// Payload time stamps: `ts` is simulated time. The gateway replaces a device time further than
// ingest.maxClockSkewMs (5 min) from its own clock by the receive time, so at --speed > 1 a simulated
// `ts` would be wrong by the growing gap and then silently ignored. Callers therefore set `includeTs`
// only when simulated time tracks the wall clock (speed 1, started now); otherwise the sensors send no
// `ts`, which protocol v1 allows, and the gateway's receive time is the event time.
import type { DevicesFile, SimHome } from './devices-file.ts'
import { startFlood } from './flood.ts'
import { AQARA_PIR, HomeRunner, NATIVE_PIR, type RoomSensor } from './home-sim.ts'
import type { DeviceLink, LinkFactory } from './mqtt-link.ts'
import { mapLimit } from './map-limit.ts'
import { rngFor, uniform } from './prng.ts'
import { CHINA_TZ_OFFSET_MIN, ROOM_LABELS, type Room } from './routine.ts'
import type { Scenario } from './scenarios.ts'
import { NativeSensor, Z2mHub } from './sim-device.ts'
import type { SimScheduler } from './sim-time.ts'
import type { SimStats } from './stats.ts'
import { profileFor } from './village-plan.ts'

export interface VillageSimOptions {
  file: DevicesFile
  seed: number
  scheduler: SimScheduler
  links: LinkFactory
  stats: SimStats
  scenarios?: Scenario[]
  /** The first `flood` native sensors publish as fast as they can instead of living their routine. */
  flood?: number
  includeTs: boolean
  heartbeatSeconds?: number
  tzOffsetMin?: number
  /** Run only homes with index % count === index (one worker process of several). */
  shard?: { index: number, count: number }
  log?: (line: string) => void
}

/** A sensor by its village-wide number (what --sensor-dies takes); the same in every shard. */
export interface SensorRef { number: number, home: SimHome, room: Room, label: string }

/** Zigbee sensors report a battery/link "heartbeat" about every 50 min (Xiaomi firmware behaviour). */
const Z2M_REPORT_SECONDS = 50 * 60

/** One line per home and sensor, with the numbers the scenario flags take. */
export function describeVillage (file: DevicesFile, flood = 0): string[] {
  let number = 0
  let floods = flood
  return file.homes.map((home) => {
    const sensors = home.sensors.map((s) => {
      const flooding = home.kind === 'native' && floods-- > 0
      return `#${number++} ${ROOM_LABELS[s.room]}${flooding ? ' (flood)' : ''}`
    })
    return `home ${home.index} ${home.label} ${home.kind === 'hub' ? `hub ${home.hub.id}` : 'native'}: ${sensors.join(', ')}`
  })
}

export class VillageSim {
  readonly sensors: SensorRef[] = []
  private readonly natives = new Map<string, NativeSensor>()
  private readonly hubs = new Map<number, Z2mHub>()
  private readonly runners = new Map<number, HomeRunner>()
  private readonly stopFloods: Array<() => void> = []
  private readonly floodIds = new Set<string>()
  private stopped = false

  constructor (private readonly opts: VillageSimOptions) {
    for (const home of opts.file.homes) {
      for (const s of home.sensors) {
        const label = home.kind === 'hub' ? `${home.hub.id}/${(s as { friendlyName: string }).friendlyName}` : (s as { id: string }).id
        this.sensors.push({ number: this.sensors.length, home, room: s.room, label })
      }
    }
    const natives = this.sensors.filter((s) => s.home.kind === 'native')
    if ((opts.flood ?? 0) > natives.length) throw new Error(`--flood ${opts.flood}: only ${natives.length} native sensors in this village`)
    for (const s of natives.slice(0, opts.flood ?? 0)) this.floodIds.add(s.label)
    for (const scenario of opts.scenarios ?? []) this.check(scenario)
  }

  /** Refuse an impossible scenario before any device connects, not hours into the run. */
  private check (scenario: Scenario): void {
    if (scenario.kind === 'sensor-dies') {
      if (this.sensors[scenario.device] === undefined) throw new Error(`--sensor-dies ${scenario.device}: there are ${this.sensors.length} sensors, numbered 0-${this.sensors.length - 1}`)
      return
    }
    const home = this.opts.file.homes.find((h) => h.index === scenario.home)
    const flag = scenario.kind === 'stop-moving' ? '--stop-moving' : scenario.mode === 'clean' ? '--hub-offline' : '--hub-drops'
    if (home === undefined) throw new Error(`${flag} ${scenario.home}: no home with that index`)
    if (scenario.kind === 'hub-offline' && home.kind !== 'hub') throw new Error(`${flag} ${scenario.home}: home ${scenario.home} has no hub (homes with hubs: ${this.opts.file.homes.filter((h) => h.kind === 'hub').map((h) => h.index).join(', ') || 'none'})`)
  }

  private log (line: string): void { this.opts.log?.(line) }
  private mine (home: SimHome): boolean {
    const shard = this.opts.shard
    return shard === undefined || home.index % shard.count === shard.index
  }

  async start (): Promise<void> {
    const { scheduler, stats, links, seed } = this.opts
    const tz = this.opts.tzOffsetMin ?? CHINA_TZ_OFFSET_MIN
    const now = scheduler.now()
    const homes = this.opts.file.homes.filter((h) => this.mine(h))
    // A client connects as soon as it is created, so devices are created inside the bounded loop:
    // thousands of simultaneous CONNECTs are a thundering herd for one gateway (and for this process).
    const devices: Array<() => DeviceLink> = []
    for (const home of homes) {
      const rnd = rngFor(seed, 'devices', home.index)
      if (home.kind === 'native') {
        for (const s of home.sensors) {
          devices.push(() => {
            const sensor = new NativeSensor(s.id, s.secret, s.room, links, rnd, stats, { includeTs: this.opts.includeTs, heartbeatSeconds: this.opts.heartbeatSeconds ?? 300, startAt: now })
            this.natives.set(s.id, sensor)
            return sensor.link
          })
        }
        continue
      }
      devices.push(() => {
        const hub = new Z2mHub(home.hub.id, home.hub.secret, home.sensors.map((s) => s.friendlyName), links, rnd, stats, now, tz)
        this.hubs.set(home.index, hub)
        // Zigbee2MQTT announces itself on every (re)connect; a hub sensor is registered on its first report.
        hub.link.onConnect(() => {
          hub.bridgeState('online')
          for (const s of home.sensors) hub.report(s.friendlyName, scheduler.now())
        })
        return hub.link
      })
    }
    // A device that is slow to connect is not waited for long; mqtt.js keeps trying in the background.
    await mapLimit(devices, 50, async (create) => {
      if (this.stopped) return
      const link = create()
      await Promise.race([link.ready.catch(() => {}), new Promise<void>((resolve) => setTimeout(resolve, 15_000).unref())])
    })
    if (this.stopped) return
    this.log(`connected ${stats.connected}/${devices.length} MQTT clients (${this.natives.size} sensors, ${this.hubs.size} hubs)`)

    const start = scheduler.now()
    for (const home of homes) this.startHome(home, start, tz)
    for (const scenario of this.opts.scenarios ?? []) this.schedule(scenario)
  }

  private startHome (home: SimHome, start: number, tz: number): void {
    const { scheduler, seed } = this.opts
    const rooms = new Map<Room, RoomSensor>()
    if (home.kind === 'native') {
      for (const s of home.sensors) {
        const sensor = this.natives.get(s.id) as NativeSensor
        if (this.floodIds.has(s.id)) { this.stopFloods.push(startFlood(sensor.link, this.opts.stats)); continue }
        rooms.set(s.room, { ...NATIVE_PIR, report: (on, at) => sensor.motion(on, at) })
        this.heartbeats(sensor, start)
      }
    } else {
      const hub = this.hubs.get(home.index) as Z2mHub
      for (const s of home.sensors) {
        rooms.set(s.room, { ...AQARA_PIR, report: (on, at) => hub.report(s.friendlyName, at, on) })
        const rnd = rngFor(seed, 'z2m-report', home.index, s.friendlyName)
        const tick = (at: number): void => {
          if (!rooms.has(s.room)) return // silenced: a dead sensor sends no reports either
          hub.report(s.friendlyName, at)
          scheduler.at(at + Z2M_REPORT_SECONDS * 1000 * uniform(rnd, 0.9, 1.1), tick)
        }
        scheduler.at(start + Z2M_REPORT_SECONDS * 1000 * rnd(), tick)
      }
    }
    const runner = new HomeRunner({ seed, key: home.index, profile: profileFor(seed, home.index), tzOffsetMin: tz }, rooms, scheduler)
    this.runners.set(home.index, runner)
    runner.start(start)
  }

  /** First heartbeat soon after start (spread out), then every interval with ±5 % jitter like real firmware. */
  private heartbeats (sensor: NativeSensor, start: number): void {
    const rnd = rngFor(this.opts.seed, 'heartbeat', sensor.id)
    const tick = (at: number): void => {
      if (this.stopped || !this.natives.has(sensor.id)) return
      sensor.heartbeat(at)
      this.opts.scheduler.at(at + sensor.heartbeatSeconds * 1000 * uniform(rnd, 0.95, 1.05), tick)
    }
    this.opts.scheduler.at(start + Math.min(30, sensor.heartbeatSeconds) * 1000 * rnd(), tick)
  }

  private schedule (scenario: Scenario): void {
    const { scheduler } = this.opts
    if (scenario.kind === 'sensor-dies') {
      const ref = this.sensors[scenario.device] as SensorRef
      if (!this.mine(ref.home)) return
      scheduler.at(scenario.at, () => {
        this.log(`scenario: sensor #${ref.number} (${ROOM_LABELS[ref.room]} of home ${ref.home.index}) dies`)
        this.runners.get(ref.home.index)?.silence(ref.room)
        const native = this.natives.get(ref.label)
        if (native !== undefined) { this.natives.delete(ref.label); native.link.drop() }
      })
      return
    }
    const home = this.opts.file.homes.find((h) => h.index === scenario.home) as SimHome
    if (!this.mine(home)) return
    if (scenario.kind === 'stop-moving') {
      this.runners.get(home.index)?.stopMoving(scenario.at)
      scheduler.at(scenario.at, () => this.log(`scenario: the person in home ${home.index} stops moving`))
      return
    }
    const hub = this.hubs.get(home.index) as Z2mHub
    scheduler.at(scenario.at, () => {
      this.log(`scenario: hub of home ${home.index} goes offline (${scenario.mode === 'clean' ? 'Zigbee2MQTT stops' : 'power cut'})`)
      for (const s of home.sensors) this.runners.get(home.index)?.silence(s.room)
      this.hubs.delete(home.index)
      if (scenario.mode === 'drop') hub.link.drop()
      else { hub.bridgeState('offline'); void hub.link.close() }
    })
  }

  /** Stop everything and close every connection cleanly (DISCONNECT, so no will is published). */
  async stop (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    for (const stop of this.stopFloods) stop()
    for (const runner of this.runners.values()) runner.stop()
    // Pending heartbeats and reports live only in the scheduler's queue; stopping it drops them all.
    this.opts.scheduler.stop()
    const links = [...[...this.natives.values()].map((n) => n.link), ...[...this.hubs.values()].map((h) => h.link)]
    await mapLimit(links, 100, (link) => Promise.race([link.close(), new Promise<void>((resolve) => setTimeout(() => { link.drop(); resolve() }, 5000).unref())]))
  }
}
