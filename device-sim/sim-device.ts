// What a simulated device says on the wire: a native Anju PIR sensor (device protocol v1), or a home
// hub running Zigbee2MQTT with Aqara RTCGQ11LM occupancy sensors. Times passed in are simulated.
import { deviceConfigPayload, type MotionPayload, type StatusPayload } from '../src/device-payloads.ts'
import { deviceTopic, hubPrefix } from '../src/topics.ts'
import type { DeviceLink, LinkFactory } from './mqtt-link.ts'
import { int, normal, uniform, type Random } from './prng.ts'
import { DAY, HOUR, MINUTE, type Room } from './routine.ts'
import type { SimStats } from './stats.ts'

export const SIM_FW = 'sim-1.0'

/**
 * A coin or AA cell that lasts one to two years at a few reports an hour: 0.14-0.27 % a day, plus a
 * little per radio transmission (transmitting dominates a PIR sensor's budget).
 */
class Battery {
  private readonly start: number
  private readonly perDay: number
  private sends = 0
  constructor (rnd: Random, private readonly t0: number) {
    this.start = uniform(rnd, 55, 100)
    this.perDay = uniform(rnd, 0.14, 0.27)
  }

  sent (): void { this.sends++ }
  percent (at: number): number {
    return Math.max(0, Math.round(this.start - this.perDay * (at - this.t0) / DAY - this.sends * 0.0005))
  }
}

export interface SensorOptions {
  /** Put the simulated time in `ts` (see village-sim.ts for when that is honest). */
  includeTs: boolean
  /** Heartbeat interval in simulated seconds until the gateway's config downlink says otherwise. */
  heartbeatSeconds: number
  startAt: number
}

/** A native sensor: `motion` and `status` under anju/v1/dev/<id>/, last will `{"online":false}`. */
export class NativeSensor {
  readonly link: DeviceLink
  private readonly battery: Battery
  private readonly rssiBase: number
  heartbeatSeconds: number

  constructor (readonly id: string, secret: string, readonly room: Room, links: LinkFactory, private readonly rnd: Random, private readonly stats: SimStats, private readonly opts: SensorOptions) {
    this.link = links({ id, secret }, { topic: deviceTopic(id, 'status'), payload: JSON.stringify({ online: false } satisfies StatusPayload), retain: false })
    this.battery = new Battery(rnd, opts.startAt)
    this.rssiBase = uniform(rnd, -88, -55)
    this.heartbeatSeconds = opts.heartbeatSeconds
    // The gateway's retained config downlink (protocol v1) may change the heartbeat interval.
    this.link.subscribe(deviceTopic(id, 'config'), (payload) => {
      try {
        const parsed = deviceConfigPayload.safeParse(JSON.parse(payload.toString('utf8')))
        if (parsed.success) this.heartbeatSeconds = parsed.data.heartbeatSeconds
      } catch { /* a real sensor ignores a config it cannot read */ }
    })
  }

  private send (channel: 'motion' | 'status', body: MotionPayload | StatusPayload): void {
    if (!this.link.connected) return // a real sensor does not buffer while its link is down
    this.link.publish(deviceTopic(this.id, channel), JSON.stringify(body), { qos: 1 })
    this.battery.sent()
    this.stats.sent[channel]++
  }

  motion (on: boolean, at: number): void {
    this.send('motion', this.opts.includeTs ? { motion: on, ts: Math.round(at) } : { motion: on })
  }

  heartbeat (at: number): void {
    const rssi = Math.round(normal(this.rnd, this.rssiBase, 2, -110, -30))
    this.send('status', { battery: this.battery.percent(at), rssi, fw: SIM_FW })
  }
}

/** One Aqara RTCGQ11LM behind a hub: what Zigbee2MQTT caches and republishes in full. */
class AqaraState {
  readonly battery: Battery
  readonly lqiBase: number
  readonly tempBase: number
  occupancy = false
  constructor (rnd: Random, startAt: number) {
    this.battery = new Battery(rnd, startAt)
    this.lqiBase = int(rnd, 40, 170)
    this.tempBase = int(rnd, 18, 27)
  }
}

/**
 * A Zigbee2MQTT hub with `base_topic: anju/v1/hub/<hubId>`: retained `bridge/state` with a last will
 * `{"state":"offline"}` (Zigbee2MQTT >= 1.27 JSON form), and one state message per sensor.
 */
export class Z2mHub {
  readonly link: DeviceLink
  private readonly sensors = new Map<string, AqaraState>()

  constructor (readonly id: string, secret: string, friendlyNames: string[], links: LinkFactory, private readonly rnd: Random, private readonly stats: SimStats, startAt: number, private readonly tzOffsetMin: number) {
    this.link = links({ id, secret }, { topic: `${hubPrefix(id)}/bridge/state`, payload: JSON.stringify({ state: 'offline' }), retain: true })
    for (const name of friendlyNames) this.sensors.set(name, new AqaraState(rnd, startAt))
  }

  bridgeState (state: 'online' | 'offline'): void {
    if (!this.link.connected) return
    this.link.publish(`${hubPrefix(this.id)}/bridge/state`, JSON.stringify({ state }), { qos: 1, retain: true })
    this.stats.sent.hub_state++
  }

  /** Lux the sensor's photodiode would read indoors at this village hour: daylight, else a lamp or dark. */
  private illuminance (at: number): number {
    const hour = ((at + this.tzOffsetMin * MINUTE) % DAY) / HOUR
    return hour > 7 && hour < 17.5 ? int(this.rnd, 40, 300) : int(this.rnd, 0, 12)
  }

  /** Publish a sensor's full state; `occupancy` undefined = a periodic report with no news. */
  report (friendlyName: string, at: number, occupancy?: boolean): void {
    const s = this.sensors.get(friendlyName)
    if (s === undefined || !this.link.connected) return
    if (occupancy !== undefined) s.occupancy = occupancy
    s.battery.sent()
    const battery = s.battery.percent(at)
    const payload = {
      battery,
      // Zigbee2MQTT's Xiaomi converters map 2850-3000 mV onto 0-100 %; invert that for a plausible voltage.
      voltage: Math.round(2850 + 1.5 * battery),
      illuminance: this.illuminance(at),
      linkquality: Math.round(normal(this.rnd, s.lqiBase, 6, 0, 255)),
      occupancy: s.occupancy,
      device_temperature: s.tempBase
    }
    this.link.publish(`${hubPrefix(this.id)}/${friendlyName}`, JSON.stringify(payload), { qos: 0 })
    this.stats.sent.hub_sensor++
  }
}
