import { describe, expect, it } from 'vitest'
import { learnModel, ModelThresholds, parseHomeModel, thresholdMs, usualWakeBy, type HomeModel } from '../../../src/activity-model/index.ts'
import { DAY, HOUR, localMidnight, MINUTE } from '../../../src/activity-model/time.ts'
import { mulberry32 } from '../../../device-sim/prng.ts'

const TZ = 480
// Local day 20514 = Monday 2026-03-02 (village time).
const MONDAY = 20514
const at = (day: number, hours: number): number => localMidnight(day, TZ) + hours * HOUR

/** A regular person: moving every 20 min from getting up until 21:30, asleep after. */
function regular (days: number, wake: (day: number) => number = () => 6): number[] {
  const out: number[] = []
  for (let d = MONDAY; d < MONDAY + days; d++) {
    // A PIR sees someone up and about again within minutes: two edges every 20 min.
    for (let t = at(d, wake(d)); t <= at(d, 21.5); t += 20 * MINUTE) out.push(t, t + 2 * MINUTE)
  }
  return out
}
const learn = (times: number[], days: number, options = {}): HomeModel =>
  learnModel({ activityTimes: times, until: localMidnight(MONDAY + days, TZ), tzOffsetMinutes: TZ }, options)

describe('learnModel', () => {
  it('allows a regular sleeper a night of stillness but only a short one by day', () => {
    const model = learn(regular(35), 35)
    const night = thresholdMs(model, at(MONDAY + 35, 21.5))
    const day = thresholdMs(model, at(MONDAY + 35, 10))
    expect(night).toBeGreaterThan(8.5 * HOUR) // covers 21:30-06:00
    expect(day).toBeLessThan(1.5 * HOUR)
    expect(night).toBeGreaterThan(5 * day)
  })

  it('uses fixed thresholds during cold start, then blends the learned ones in by days of history', () => {
    const cold = learn(regular(5), 5)
    expect(cold.learnedWeight).toBe(0)
    expect(thresholdMs(cold, at(MONDAY + 5, 10))).toBe(3 * HOUR)
    expect(thresholdMs(cold, at(MONDAY + 5, 22))).toBe(11 * HOUR) // until 09:00
    expect(usualWakeBy(cold, at(MONDAY + 5, 12))).toBeNull()

    const half = learn(regular(16), 16)
    const full = learn(regular(35), 35)
    expect(half.learnedWeight).toBeGreaterThan(0)
    expect(half.learnedWeight).toBeLessThan(1)
    expect(full.learnedWeight).toBe(1)
    const dayHalf = thresholdMs(half, at(MONDAY + 16, 10))
    expect(dayHalf).toBeLessThan(3 * HOUR)
    expect(dayHalf).toBeGreaterThan(thresholdMs(full, at(MONDAY + 35, 10)))
  })

  it('keeps its night threshold when 20 % of events are spurious (pets, sunlight)', () => {
    const clean = regular(35)
    const rnd = mulberry32(7)
    const start = localMidnight(MONDAY, TZ)
    const noisy = [...clean, ...Array.from({ length: Math.round(clean.length * 0.2) }, () => start + rnd() * 35 * DAY)]
    const evening = at(MONDAY + 35, 21.5)
    const robust = thresholdMs(learn(noisy, 35), evening)
    expect(robust).toBeGreaterThan(0.9 * thresholdMs(learn(clean, 35), evening))
    const morning = at(MONDAY + 35, 10)
    expect(thresholdMs(learn(noisy, 35), morning)).toBeGreaterThan(0.9 * thresholdMs(learn(clean, 35), morning))
    // Noise lands in the nights: without the lone-event filter far fewer nights are learned whole.
    expect(thresholdMs(learn(noisy, 35, { isolationMs: 0, quantile: 0.5 }), evening)).toBeLessThan(0.8 * thresholdMs(learn(noisy, 35, { quantile: 0.5 }), evening))
  })

  it('learns a weekend lie-in when there is one', () => {
    const weekend = (d: number): boolean => [0, 6].includes((((d + 4) % 7) + 7) % 7)
    const model = learn(regular(42, (d) => weekend(d) ? 8.5 : 6), 42)
    const monday = MONDAY + 42
    const saturday = monday + 5
    const wakeMonday = usualWakeBy(model, at(monday, 12)) as number
    const wakeSaturday = usualWakeBy(model, at(saturday, 12)) as number
    expect(wakeSaturday - wakeMonday - 5 * DAY).toBeGreaterThan(2 * HOUR)
    // Friday evening belongs to the weekend's night: longer than Sunday evening's (before a Monday).
    expect(thresholdMs(model, at(saturday - 1, 21.5))).toBeGreaterThan(thresholdMs(model, at(saturday + 1, 21.5)) + 2 * HOUR)
  })

  it('knows by when this person is usually up', () => {
    const model = learn(regular(35), 35)
    const wakeBy = usualWakeBy(model, at(MONDAY + 35, 15)) as number
    expect(wakeBy).toBeGreaterThanOrEqual(at(MONDAY + 35, 6))
    expect(wakeBy).toBeLessThanOrEqual(at(MONDAY + 35, 7.5))
  })
})

describe('HomeModel as JSON', () => {
  it('round-trips and answers the same', () => {
    const model = learn(regular(35), 35)
    const copy = parseHomeModel(JSON.stringify(model))
    expect(copy).toEqual(model)
    for (let h = 0; h < 24; h += 0.5) expect(thresholdMs(copy, at(MONDAY + 36, h))).toBe(thresholdMs(model, at(MONDAY + 36, h)))
    expect(() => parseHomeModel('{"version":1}')).toThrow(/activity model/)
    expect(() => parseHomeModel(JSON.stringify({ ...model, thresholdsMin: { weekday: [1], weekend: [1] } }))).toThrow()
  })

  it('serves each home its model through ThresholdProvider, cold start for an unknown home', () => {
    const model = learn(regular(35), 35)
    const provider = new ModelThresholds(new Map([['home-1', model]]), learn([], 0))
    const morning = at(MONDAY + 36, 10)
    expect(provider.inactivityThresholdMs('home-1', morning)).toBe(thresholdMs(model, morning))
    expect(provider.inactivityThresholdMs('home-2', morning)).toBe(3 * HOUR)
    expect(provider.usualWakeBy('home-1', morning)).not.toBeNull()
    expect(provider.usualWakeBy('home-2', morning)).toBeNull()
  })
})
