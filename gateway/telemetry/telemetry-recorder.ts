// Turns the ingest bus into time-series points: every activity edge, and device health (heartbeat,
// battery, online/offline), become points in the telemetry store. The village of a home comes from the
// registry and is cached: the bus carries only home ids.
//
// Health is sampled: a device's point is stored when it goes online or offline, when its battery moves
// by BATTERY_STEP_PCT or more or across the low-battery line, and otherwise at most once per
// HEALTH_SAMPLE_MS (battery readings jitter by a point or two; the trend and the low line are what count). The default heartbeat (300 s) is always
// stored; a device reporting every second (a chatty hub, a misconfigured sensor, the benchmarks' 10,000
// devices × 1 msg/s) no longer costs a store insert per message: that was the gateway's largest CPU cost
// at 10,000 devices (README "Performance"). Signal strength between samples is not kept.
import type { ActivityEvent, DeviceStateEvent } from '../../src/events.ts'
import { hasFields, type HealthPoint, type TelemetryStore } from '../../src/telemetry.ts'
import { LOW_BATTERY_PCT } from '../../src/escalation/rules.ts'
import type { EventBus } from '../events/event-bus.ts'
import type { PlacesStore } from '../registry/places-store.ts'

/** Shortest gap between two stored health points of one device when nothing notable changed. */
export const HEALTH_SAMPLE_MS = 60_000
/** A battery change this large (percentage points) is stored at once. */
export const BATTERY_STEP_PCT = 5

function batteryMoved (last: number | undefined, now: number): boolean {
  if (last === undefined) return true
  return Math.abs(now - last) >= BATTERY_STEP_PCT || (last < LOW_BATTERY_PCT) !== (now < LOW_BATTERY_PCT)
}

export class TelemetryRecorder {
  private readonly villages = new Map<string, string | null>()
  /** Per device: when its last health point was stored, and the battery it carried. */
  private readonly lastHealth = new Map<string, { at: number, battery: number | undefined, online: boolean | undefined }>()
  private readonly unsubscribe: Array<() => void> = []

  constructor (private readonly bus: EventBus, private readonly places: PlacesStore, private readonly store: TelemetryStore) {}

  start (): void {
    this.unsubscribe.push(
      this.bus.on('activity', (e) => this.activity(e)),
      this.bus.on('device-state', (e) => this.deviceState(e))
    )
  }

  stop (): void {
    for (const off of this.unsubscribe.splice(0)) off()
  }

  /** Whether a health point is worth storing (see the header). */
  private sample (e: DeviceStateEvent): boolean {
    const last = this.lastHealth.get(e.deviceId)
    // Ingest marks every status heartbeat `online: true` (a heartbeat means alive), so a change of state
    // is what counts, not the field's presence: checking presence stored every heartbeat.
    const keep = last === undefined || (e.online !== undefined && e.online !== last.online) || e.at - last.at >= HEALTH_SAMPLE_MS ||
      e.at < last.at || (e.battery !== undefined && batteryMoved(last.battery, e.battery))
    if (keep) this.lastHealth.set(e.deviceId, { at: e.at, battery: e.battery ?? last?.battery, online: e.online ?? last?.online })
    return keep
  }

  /** A home that moved grid or was deleted: look its village up again. */
  forgetHome (homeId: string): void {
    this.villages.delete(homeId)
  }

  private villageOf (homeId: string): string | null {
    let village = this.villages.get(homeId)
    if (village === undefined) {
      village = this.places.getHome(homeId)?.villageId ?? null
      this.villages.set(homeId, village)
    }
    return village
  }

  private activity (e: ActivityEvent): void {
    const villageId = this.villageOf(e.homeId)
    if (villageId === null) return
    this.store.write([{ kind: 'activity', villageId, homeId: e.homeId, deviceId: e.deviceId, at: e.at, timeSource: e.timeSource }])
  }

  private deviceState (e: DeviceStateEvent): void {
    const villageId = this.villageOf(e.homeId)
    if (villageId === null) return
    const point: HealthPoint = {
      kind: 'health', villageId, homeId: e.homeId, deviceId: e.deviceId, deviceKind: e.kind, at: e.at,
      online: e.online, battery: e.battery, rssi: e.rssi, linkquality: e.linkquality
    }
    if (hasFields(point) && this.sample(e)) this.store.write([point])
  }
}
