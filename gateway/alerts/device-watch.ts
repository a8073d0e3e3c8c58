// What the engine knows about each home's devices: online, battery and last motion, kept in memory from
// bus events (and seeded from the registry at start-up). Pure bookkeeping; the engine decides on alerts.
import { BATTERY_OK_PCT, LOW_BATTERY_PCT, SENSOR_SILENT_AFTER_MS, silentSensors } from '../../src/escalation/rules.ts'

interface DeviceWatch {
  online: boolean
  low: boolean
  /** Null for a hub: hubs see no motion themselves. */
  lastMotion: number | null
}

interface HomeDevices {
  devices: Map<string, DeviceWatch>
  /** When the last online device went offline; null while any is online. */
  offlineSince: number | null
}

export class DeviceWatchList {
  private readonly homes = new Map<string, HomeDevices>()
  private readonly homeOf = new Map<string, string>()

  /** Register a device as offline and unheard (what a restarted broker knows) from `at`. */
  seed (deviceId: string, homeId: string, kind: 'sensor' | 'hub' | 'hub-sensor', battery: number | null, at: number): void {
    const device = this.device(deviceId, homeId, kind === 'hub' ? null : at)
    device.online = false
    device.low = battery !== null && battery < LOW_BATTERY_PCT
    if (device.low) this.mayBeLow.add(homeId)
    const home = this.homes.get(homeId) as HomeDevices
    if (home.offlineSince === null && [...home.devices.values()].every((d) => !d.online)) home.offlineSince = at
  }

  /**
   * Homes where a low-battery alert may be open: a device there was low since their low list was last
   * found empty. A low device moved away leaves its old home here until that home's next reading.
   */
  private readonly mayBeLow = new Set<string>()
  /** Whether the last device() call created the device or moved it to another home. */
  private placed = false

  private device (deviceId: string, homeId: string, lastMotion: number | null): DeviceWatch {
    const previous = this.homeOf.get(deviceId)
    this.placed = previous !== homeId
    if (this.placed) {
      // A device moved to another home stops counting for the old one.
      if (previous !== undefined) this.homes.get(previous)?.devices.delete(deviceId)
      this.homeOf.set(deviceId, homeId)
    }
    let home = this.homes.get(homeId)
    if (home === undefined) {
      home = { devices: new Map(), offlineSince: null }
      this.homes.set(homeId, home)
    }
    let device = home.devices.get(deviceId)
    if (device === undefined) {
      device = { online: false, low: false, lastMotion }
      home.devices.set(deviceId, device)
      this.placed = true
    }
    return device
  }

  /** A low-battery alert is open for the home (loaded at start): its next reading re-checks it. */
  mayHaveLowBattery (homeId: string): void {
    this.mayBeLow.add(homeId)
  }

  /** Homes with devices, and when each went wholly offline (null: something is online). */
  offlineHomes (): Array<[string, number]> {
    return [...this.homes].filter(([, h]) => h.offlineSince !== null).map(([id, h]) => [id, h.offlineSince as number])
  }

  /**
   * Apply an online/offline report; returns when the home went wholly offline, or null if it is online,
   * or `unchanged` when the device was already known there in that state. Every heartbeat says
   * `online: true`: at 10,000 devices x 1 msg/s the repeats must cost nothing.
   */
  setOnline (deviceId: string, homeId: string, kind: 'sensor' | 'hub' | 'hub-sensor', online: boolean, at: number): number | null | 'unchanged' {
    const device = this.device(deviceId, homeId, kind === 'hub' ? null : at)
    if (!this.placed && device.online === online) return 'unchanged'
    device.online = online
    const home = this.homes.get(homeId) as HomeDevices
    if ([...home.devices.values()].some((d) => d.online)) home.offlineSince = null
    else home.offlineSince ??= at
    return home.offlineSince
  }

  offlineSince (homeId: string): number | null {
    return this.homes.get(homeId)?.offlineSince ?? null
  }

  /**
   * Apply a battery reading (with hysteresis): the home's devices now low, and whether this one just
   * became low; null when nothing is low in the home and nothing changed (a healthy heartbeat).
   */
  setBattery (deviceId: string, homeId: string, kind: 'sensor' | 'hub' | 'hub-sensor', battery: number, at: number): { low: string[], became: boolean } | null {
    const device = this.device(deviceId, homeId, kind === 'hub' ? null : at)
    const was = device.low
    if (battery < LOW_BATTERY_PCT) device.low = true
    else if (battery >= BATTERY_OK_PCT) device.low = false
    if (!was && !device.low && !this.mayBeLow.has(homeId)) return null
    const low = [...(this.homes.get(homeId) as HomeDevices).devices].filter(([, d]) => d.low).map(([id]) => id).sort()
    if (low.length > 0) this.mayBeLow.add(homeId)
    else this.mayBeLow.delete(homeId)
    return { low, became: device.low && !was }
  }

  /** Record motion; returns the home's sensors that have been silent for days while others were not. */
  motion (deviceId: string, homeId: string, at: number): string[] {
    const device = this.device(deviceId, homeId, at)
    device.online = true
    if (device.lastMotion === null || at > device.lastMotion) device.lastMotion = at
    const home = this.homes.get(homeId) as HomeDevices
    home.offlineSince = null
    // Nearly always every sensor has seen motion within days: no list to build on every event.
    const cutoff = at - SENSOR_SILENT_AFTER_MS
    let anySilent = false
    for (const d of home.devices.values()) if (d.lastMotion !== null && d.lastMotion < cutoff) { anySilent = true; break }
    if (!anySilent) return []
    const motion = new Map<string, number>()
    for (const [id, d] of home.devices) if (d.lastMotion !== null) motion.set(id, d.lastMotion)
    return silentSensors(motion, at)
  }
}
