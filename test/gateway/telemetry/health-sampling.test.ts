// Device health is sampled (gateway/telemetry/telemetry-recorder.ts): online/offline and battery changes
// always, otherwise at most one point per device per minute. The recorder only calls `write`, so the
// store here is a list of what was written: which points reach the store is the whole question.
import { describe, expect, it } from 'vitest'
import type { TelemetryPoint, TelemetryStore } from '../../../src/telemetry.ts'
import { openMemoryDatabase } from '../../../gateway/db/open-database.ts'
import { EventBus } from '../../../gateway/events/event-bus.ts'
import { createLogger } from '../../../gateway/logger.ts'
import { PlacesStore } from '../../../gateway/registry/places-store.ts'
import { HEALTH_SAMPLE_MS, TelemetryRecorder } from '../../../gateway/telemetry/telemetry-recorder.ts'
import { FakeTime } from '../../helpers/fake-time.ts'

const T0 = Date.UTC(2024, 4, 1, 2)

describe('health sampling', () => {
  it('stores state changes and battery steps at once, a steady or jittering heartbeat once a minute', () => {
    const time = new FakeTime(T0)
    const places = new PlacesStore(openMemoryDatabase(), time)
    const village = places.createVillage({ name: '山下村' })
    const home = places.createHome({ gridId: places.createGrid({ villageId: village.id, name: '一组' }).id, label: '1号' })
    const written: TelemetryPoint[] = []
    const bus = new EventBus(createLogger('silent'))
    new TelemetryRecorder(bus, places, { write: (points: readonly TelemetryPoint[]) => { written.push(...points) } } as unknown as TelemetryStore).start()
    const beat = (at: number, fields: { online?: boolean, battery?: number, rssi?: number }, deviceId = 'dev-a'): void =>
      bus.emit('device-state', { deviceId, homeId: home.id, kind: 'sensor', at, ...fields })

    beat(T0, { online: true })
    // Heartbeats as ingest emits them: `online: true` on every one (a heartbeat means alive).
    for (let s = 1; s <= 90; s++) beat(T0 + s * 1000, { online: true, battery: 80 + (s % 2), rssi: -60 - (s % 7) }) // every second, jittering by a point
    for (let s = 95; s <= 125; s++) beat(T0 + s * 1000, { online: true, battery: 74, rssi: -61 }) // a step of 5 or more: stored at once, then steady
    beat(T0 + 126_000, { online: false })
    beat(T0 + 127_000, { online: true, battery: 74 }) // back: a change of state, stored at once
    beat(T0 + 3_000, { battery: 16 }, 'dev-c')
    beat(T0 + 4_000, { battery: 14 }, 'dev-c') // across the low-battery line (15 %): stored at once
    beat(T0 + 5_000, { battery: 80 }, 'dev-b') // another device is sampled on its own

    const at = (deviceId: string): number[] => written.filter((p) => p.kind === 'health' && p.deviceId === deviceId).map((p) => p.at - T0)
    expect(at('dev-a')).toEqual([0, 1_000, 1_000 + HEALTH_SAMPLE_MS, 95_000, 126_000, 127_000])
    expect(at('dev-b')).toEqual([5_000])
    expect(at('dev-c')).toEqual([3_000, 4_000])
  })
})
