// The gateway's learned thresholds: one model per home with devices from its last 42 days of activity (the model's learning window),
// the cold-start fallback for a home without history, a failed query keeping the previous model, and
// the telemetry queries bounded in parallel.
import { describe, expect, it } from 'vitest'
import { ModelRefresh } from '../../../gateway/alerts/model-refresh.ts'
import { createLogger } from '../../../gateway/logger.ts'
import type { ActivityPoint, TimeRange } from '../../../src/telemetry.ts'

const MIN = 60_000
const H = 60 * MIN
const DAY = 24 * H
// 2024-05-01 00:00 village time (UTC+8).
const MIDNIGHT = Date.UTC(2024, 3, 30, 16)
const NOW = MIDNIGHT + 2 * H + 30 * MIN // the nightly refresh at 02:30
const at = (day: number, hh: number, mm = 0): number => MIDNIGHT + day * DAY + hh * H + mm * MIN

/** A busy routine: moving every 5 minutes from 06:00 to 21:00 local, asleep otherwise. */
function routine (days: number): number[] {
  const out: number[] = []
  for (let d = -days; d < 0; d++) for (let m = 6 * 60; m <= 21 * 60; m += 5) out.push(at(d, 0, m))
  return out
}

interface Device { id: string, homeId: string, revokedAt: number | null }

function fakes (history: Record<string, number[] | Error>, devices: Device[]): {
  refresh: ModelRefresh, queries: Array<{ homeId: string } & TimeRange>, maxOpen: () => number
} {
  const queries: Array<{ homeId: string } & TimeRange> = []
  let open = 0
  let maxOpen = 0
  const telemetry = {
    async activityEvents (homeId: string, range: TimeRange): Promise<ActivityPoint[]> {
      queries.push({ homeId, ...range })
      open++
      maxOpen = Math.max(maxOpen, open)
      await new Promise((resolve) => setTimeout(resolve, 2))
      open--
      const h = history[homeId] ?? []
      if (h instanceof Error) throw h
      return h.filter((t) => t >= range.from && t < range.to)
        .map((t) => ({ kind: 'activity', villageId: 'v', homeId, deviceId: `${homeId}-s`, at: t, timeSource: 'device' }))
    }
  }
  const refresh = new ModelRefresh({
    devices: { list: () => devices as never }, telemetry, clock: { now: () => NOW }, log: createLogger('silent'), concurrency: 3
  })
  return { refresh, queries, maxOpen: () => maxOpen }
}

describe('ModelRefresh', () => {
  it('learns each home with devices from its last 42 days (the learning window the evaluation used); a home without history keeps the cold start', async () => {
    const { refresh, queries } = fakes({ busy: routine(40) }, [
      { id: 's1', homeId: 'busy', revokedAt: null },
      { id: 's2', homeId: 'busy', revokedAt: null },
      { id: 's3', homeId: 'new', revokedAt: null },
      { id: 's4', homeId: 'gone', revokedAt: NOW - DAY }
    ])
    // Before any refresh every home gets the cold start: 3 h by day, until 09:00 from the evening.
    expect(refresh.thresholds.inactivityThresholdMs('busy', at(0, 10))).toBe(3 * H)
    expect(await refresh.refresh()).toMatchObject({ homes: 2, learned: 2, failed: 0 })
    expect(queries.map((q) => q.homeId).sort()).toEqual(['busy', 'new'])
    expect(queries.every((q) => q.from === NOW - 42 * DAY && q.to === NOW)).toBe(true)

    expect(refresh.model('busy')).toMatchObject({ learnedWeight: expect.closeTo(1, 1) })
    // Someone who moves every 5 minutes all day is overdue within the hour by day, not after 3 hours...
    const day = refresh.thresholds.inactivityThresholdMs('busy', at(0, 10))
    expect(day).toBeGreaterThanOrEqual(45 * MIN)
    expect(day).toBeLessThan(H)
    // ...and has a usual wake-up time (not_up) the cold start does not know: the first counted activity
    // (06:05; the 06:00 event is lone after the night) plus 30 minutes.
    expect(refresh.thresholds.usualWakeBy('busy', at(0, 12))).toBe(at(0, 6, 35))
    expect(refresh.thresholds.inactivityThresholdMs('new', at(0, 10))).toBe(3 * H)
    expect(refresh.thresholds.inactivityThresholdMs('new', at(0, 21))).toBe(12 * H)
    expect(refresh.thresholds.usualWakeBy('new', at(0, 12))).toBeNull()
  })

  it('a failed query keeps the home\'s previous model; queries run at most `concurrency` at once', async () => {
    const history: Record<string, number[] | Error> = { h0: routine(30) }
    const devices = Array.from({ length: 10 }, (_, i) => ({ id: `s${i}`, homeId: `h${i}`, revokedAt: null }))
    const { refresh, maxOpen } = fakes(history, devices)
    await refresh.refresh()
    expect(maxOpen()).toBe(3)
    const learned = refresh.thresholds.inactivityThresholdMs('h0', at(0, 10))
    expect(learned).toBeLessThan(H)
    history.h0 = new Error('influx down')
    expect(await refresh.refresh()).toMatchObject({ homes: 10, learned: 9, failed: 1 })
    expect(refresh.thresholds.inactivityThresholdMs('h0', at(0, 10))).toBe(learned)
  })

  it('start() returns after its budget on a slow store and the refresh finishes in the background', async () => {
    const devices = [{ id: 's', homeId: 'slow', revokedAt: null }]
    let release = (): void => {}
    const telemetry = { activityEvents: async () => { await new Promise<void>((resolve) => { release = resolve }); return [] } }
    const refresh = new ModelRefresh({ devices: { list: () => devices as never }, telemetry, clock: { now: () => NOW }, log: createLogger('silent'), startupBudgetMs: 20 })
    await refresh.start()
    expect(refresh.model('slow')).toBeUndefined()
    release()
    await refresh.stop()
    expect(refresh.model('slow')).toMatchObject({ learnedWeight: 0 })
  })
})
