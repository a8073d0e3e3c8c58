// Turns the ingest bus into time-series points: every activity edge and every device-state change
// (heartbeat, battery, online/offline) becomes a point in the telemetry store. The village of a home
// comes from the registry and is cached: the bus carries only home ids.
import type { ActivityEvent, DeviceStateEvent } from '../../src/events.ts'
import { hasFields, type HealthPoint, type TelemetryStore } from '../../src/telemetry.ts'
import type { EventBus } from '../events/event-bus.ts'
import type { PlacesStore } from '../registry/places-store.ts'

export class TelemetryRecorder {
  private readonly villages = new Map<string, string | null>()
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
    if (hasFields(point)) this.store.write([point])
  }
}
