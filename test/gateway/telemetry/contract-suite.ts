// The contract every TelemetryStore passes (embedded SQLite and InfluxDB alike): the queries the alert
// engine, the family view and the township overview rely on, with known data and exact answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ActivityPoint, HealthPoint, TelemetryPoint, TelemetryStore } from '../../../src/telemetry.ts'

export type StoreFactory = () => Promise<{ store: TelemetryStore, cleanup: () => Promise<void> }>

const HOUR = 3_600_000
const DAY = 24 * HOUR
/** A Monday, 00:00 UTC. */
const T0 = Date.UTC(2026, 10, 2)

const act = (villageId: string, homeId: string, deviceId: string, at: number, timeSource: 'device' | 'gateway' = 'device'): ActivityPoint =>
  ({ kind: 'activity', villageId, homeId, deviceId, at, timeSource })
const health = (deviceId: string, at: number, fields: Partial<HealthPoint>): HealthPoint =>
  ({ kind: 'health', villageId: 'vil-a', homeId: 'home-1', deviceId, deviceKind: 'sensor', at, ...fields })

// Home 1 (village a): two sensors; home 2 (village a): one sensor; home 3 (village b).
const ACTIVITY: ActivityPoint[] = [
  act('vil-a', 'home-1', 'dev-1a', T0 + 10 * 60_000),
  act('vil-a', 'home-1', 'dev-1b', T0 + 20 * 60_000, 'gateway'),
  act('vil-a', 'home-1', 'dev-1a', T0 + 2 * HOUR + 5 * 60_000),
  act('vil-a', 'home-2', 'dev-2a', T0 + 30 * 60_000),
  act('vil-a', 'home-2', 'dev-2a', T0 + 2 * HOUR + 59 * 60_000),
  act('vil-b', 'home-3', 'dev-3a', T0 + HOUR + 1)
]

export function describeTelemetryContract (name: string, create: StoreFactory): void {
  describe(`TelemetryStore contract: ${name}`, () => {
    let store: TelemetryStore
    let cleanup: () => Promise<void>

    beforeAll(async () => {
      ({ store, cleanup } = await create())
      await store.start()
      store.write(ACTIVITY)
      await store.flush()
    })
    afterAll(async () => {
      await store.close()
      await cleanup()
    })

    it('counts a home\'s activity per hour, every hour present, zeros included', async () => {
      const counts = await store.activityCounts('home-1', { from: T0, to: T0 + 4 * HOUR, bucketMs: HOUR })
      expect(counts).toEqual([
        { start: T0, count: 2 }, { start: T0 + HOUR, count: 0 }, { start: T0 + 2 * HOUR, count: 1 }, { start: T0 + 3 * HOUR, count: 0 }
      ])
    })

    it('stores a point written twice once (spool replays are idempotent)', async () => {
      store.write(ACTIVITY.slice(0, 3))
      await store.flush()
      const counts = await store.activityCounts('home-1', { from: T0, to: T0 + 3 * HOUR, bucketMs: HOUR })
      expect(counts.map((b) => b.count)).toEqual([2, 0, 1])
    })

    it('gives the last activity per home, for restoring the alert engine', async () => {
      const last = await store.lastActivityByHome()
      expect(last.get('home-1')).toBe(T0 + 2 * HOUR + 5 * 60_000)
      expect(last.get('home-2')).toBe(T0 + 2 * HOUR + 59 * 60_000)
      expect(last.get('home-3')).toBe(T0 + HOUR + 1)
    })

    it('gives the last activity per device of a home', async () => {
      const last = await store.lastActivityByDevice('home-1')
      expect(Object.fromEntries(last)).toEqual({ 'dev-1a': T0 + 2 * HOUR + 5 * 60_000, 'dev-1b': T0 + 20 * 60_000 })
    })

    it('returns a home\'s raw events in a half-open range, oldest first', async () => {
      const events = await store.activityEvents('home-1', { from: T0 + 10 * 60_000, to: T0 + 2 * HOUR + 5 * 60_000 })
      expect(events).toEqual([ACTIVITY[0], ACTIVITY[1]])
    })

    it('learns a week of hourly routine (the baseline query)', async () => {
      const week: TelemetryPoint[] = []
      const start = T0 + 7 * DAY
      for (let h = 0; h < 7 * 24; h++) week.push(act('vil-c', 'home-week', 'dev-w', start + h * HOUR + 15 * 60_000 + (h % 7) * 1000))
      store.write(week)
      await store.flush()
      const counts = await store.activityCounts('home-week', { from: start, to: start + 7 * DAY, bucketMs: HOUR })
      expect(counts).toHaveLength(168)
      expect(counts.every((b) => b.count === 1)).toBe(true)
      const daily = await store.activityCounts('home-week', { from: start, to: start + 7 * DAY, bucketMs: DAY })
      expect(daily.map((b) => b.count)).toEqual([24, 24, 24, 24, 24, 24, 24])
    })

    it('gives a device\'s battery, uptime and signal trend per bucket, only where it reported', async () => {
      store.write([
        health('dev-1a', T0 + 5 * 60_000, { battery: 90, online: true, rssi: -70 }),
        health('dev-1a', T0 + 35 * 60_000, { battery: 88, online: true, rssi: -74 }),
        health('dev-1a', T0 + 3 * HOUR + 1, { online: false }),
        health('dev-1a', T0 + 3 * HOUR + 2, { online: true }),
        health('dev-1a', T0 + 3 * HOUR + 3, { online: false }),
        health('dev-1a', T0 + 3 * HOUR + 4, { online: false }),
        health('dev-other', T0 + 10, { battery: 10 })
      ])
      await store.flush()
      const trend = await store.deviceHealth('dev-1a', { from: T0, to: T0 + 4 * HOUR, bucketMs: HOUR })
      expect(trend).toEqual([
        { start: T0, battery: 89, online: 1, rssi: -72, linkquality: null },
        { start: T0 + 3 * HOUR, battery: null, online: 0.25, rssi: null, linkquality: null }
      ])
    })

    it('aggregates a village without naming homes: events and active homes per bucket', async () => {
      const overview = await store.villageActivity('vil-a', { from: T0, to: T0 + 3 * HOUR, bucketMs: HOUR })
      expect(overview).toEqual([
        { start: T0, events: 3, activeHomes: 2 },
        { start: T0 + HOUR, events: 0, activeHomes: 0 },
        { start: T0 + 2 * HOUR, events: 2, activeHomes: 2 }
      ])
    })

    it('never throws on write, even for a health point with nothing in it', async () => {
      expect(() => store.write([health('dev-empty', T0, {})])).not.toThrow()
      await store.flush()
      expect(await store.deviceHealth('dev-empty', { from: T0 - HOUR, to: T0 + HOUR, bucketMs: HOUR })).toEqual([])
    })

    it('deletes every point of a home (a resident\'s data) and nothing else', async () => {
      store.write([act('vil-a', 'home-2', 'dev-2a', T0 + 3 * HOUR + 1)])
      await store.deleteHome('home-2')
      await store.flush()
      expect((await store.lastActivityByHome()).has('home-2')).toBe(false)
      expect(await store.activityEvents('home-2', { from: 0, to: T0 + 10 * DAY })).toEqual([])
      const overview = await store.villageActivity('vil-a', { from: T0, to: T0 + 3 * HOUR, bucketMs: HOUR })
      expect(overview.map((b) => [b.events, b.activeHomes])).toEqual([[2, 1], [0, 0], [1, 1]])
      expect((await store.lastActivityByHome()).get('home-1')).toBe(T0 + 2 * HOUR + 5 * 60_000)
    })

    it('reports nothing queued after a flush', async () => {
      await store.flush()
      const stats = store.stats()
      expect(stats.queued).toBe(0)
      expect(stats.written).toBeGreaterThanOrEqual(ACTIVITY.length + 168)
      expect(stats.droppedSpoolFull).toBe(0)
    })
  })
}
