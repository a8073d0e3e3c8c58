// The gateway's learned thresholds: one model per home with devices from its last 42 days of activity (the model's learning window),
// the cold-start fallback for a home without history, a failed query keeping the previous model, and
// the telemetry queries bounded in parallel. For cluster workers: learning only some homes, a home asked
// for twice at once queried once, forgetting homes, and a budget on the wait.
import { describe, expect, it } from 'vitest'
import { ModelRefresh } from '../../../gateway/alerts/model-refresh.ts'
import { createLogger } from '../../../gateway/logger.ts'
import type { ActivityPoint, TimeRange } from '../../../src/telemetry.ts'
import { FakeTime } from '../../helpers/fake-time.ts'

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

  it('refresh(owns) learns only the homes it accepts; models of other homes are left as they are', async () => {
    const devices = ['a', 'b', 'c'].map((h) => ({ id: `s-${h}`, homeId: h, revokedAt: null }))
    const { refresh, queries } = fakes({ a: routine(30), b: routine(30), c: routine(30) }, devices)
    await refresh.learn(['c'])
    expect(await refresh.refresh((homeId) => homeId !== 'c')).toMatchObject({ homes: 2, learned: 2, failed: 0 })
    expect(queries.map((q) => q.homeId).sort()).toEqual(['a', 'b', 'c'])
    expect(refresh.homes((homeId) => homeId === 'b')).toEqual(['b'])
    expect(refresh.size).toBe(3)
  })

  it('a home asked for by two callers at once is queried once, and the concurrency bound holds over both', async () => {
    const devices = Array.from({ length: 6 }, (_, i) => ({ id: `s${i}`, homeId: `h${i}`, revokedAt: null }))
    const { refresh, queries, maxOpen } = fakes({}, devices)
    // A takeover of h0 and h1 while the nightly refresh of every home runs.
    const [nightly, takeover] = await Promise.all([refresh.refresh(), refresh.learn(['h1', 'h0', 'h1'])])
    expect(nightly).toMatchObject({ homes: 6, learned: 6 })
    expect(takeover).toMatchObject({ homes: 2, learned: 2 })
    expect(queries.map((q) => q.homeId).sort()).toEqual(['h0', 'h1', 'h2', 'h3', 'h4', 'h5'])
    expect(maxOpen()).toBe(3)
  })

  it('forget() drops models, skips homes still queued and discards the answer of a query in flight', async () => {
    const devices = Array.from({ length: 6 }, (_, i) => ({ id: `s${i}`, homeId: `h${i}`, revokedAt: null }))
    const { refresh, asked, answer } = gated(devices)
    await Promise.all([refresh.learn(['h0']), answer('h0')])
    expect(refresh.model('h0')).toBeDefined()
    // Concurrency 3: h1, h2, h3 in flight, h4 and h5 queued.
    const learning = refresh.learn(['h1', 'h2', 'h3', 'h4', 'h5'])
    expect(asked()).toEqual(['h0', 'h1', 'h2', 'h3'])
    const dropped = new Set(['h0', 'h2', 'h4'])
    expect(refresh.forget((homeId) => dropped.has(homeId))).toBe(1)
    for (const h of ['h1', 'h2', 'h3']) await answer(h)
    await answer('h5')
    expect(await learning).toMatchObject({ homes: 5, learned: 3, failed: 0 })
    expect(asked()).toEqual(['h0', 'h1', 'h2', 'h3', 'h5'])
    expect(['h0', 'h1', 'h2', 'h3', 'h4', 'h5'].filter((h) => refresh.model(h) !== undefined)).toEqual(['h1', 'h3', 'h5'])
  })

  it('learnWithin() answers \'late\' when its budget runs out; the homes are learned in the background', async () => {
    const time = new FakeTime(NOW)
    const { refresh, answer } = gated([{ id: 's', homeId: 'slow', revokedAt: null }], time)
    const within = refresh.learnWithin(['slow'], 5_000)
    time.advance(5_000)
    expect(await within).toBe('late')
    expect(refresh.model('slow')).toBeUndefined()
    await answer('slow')
    expect(refresh.model('slow')).toMatchObject({ learnedWeight: 0 })
    // In time: the result, and the budget's timer is cleared.
    const quick = refresh.learnWithin(['slow'], 5_000)
    await answer('slow')
    expect(await quick).toMatchObject({ homes: 1, learned: 1 })
    expect(time.armed).toBe(0)
  })
})

/** A store whose queries wait until answer(homeId) (each with no history); concurrency 3. */
function gated (devices: Device[], time = new FakeTime(NOW)): {
  refresh: ModelRefresh, asked: () => string[], answer: (homeId: string) => Promise<void>
} {
  const asked: string[] = []
  const waiting = new Map<string, () => void>()
  const telemetry = {
    async activityEvents (homeId: string): Promise<ActivityPoint[]> {
      asked.push(homeId)
      await new Promise<void>((resolve) => waiting.set(homeId, resolve))
      return []
    }
  }
  const refresh = new ModelRefresh({
    devices: { list: () => devices as never }, telemetry, clock: time, timers: time, log: createLogger('silent'), concurrency: 3
  })
  const answer = async (homeId: string): Promise<void> => {
    // Let queued work reach the store first (each step of the queue is a few promise turns).
    for (let i = 0; i < 10 && !waiting.has(homeId); i++) await new Promise<void>((resolve) => setImmediate(resolve))
    const release = waiting.get(homeId)
    if (release === undefined) throw new Error(`${homeId} was not asked for`)
    waiting.delete(homeId)
    release()
    for (let i = 0; i < 10; i++) await new Promise<void>((resolve) => setImmediate(resolve))
  }
  return { refresh, asked: () => asked, answer }
}
