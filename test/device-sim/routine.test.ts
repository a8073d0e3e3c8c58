import { describe, expect, it } from 'vitest'
import { DAY, HOUR, MINUTE, planDay, routineTimeline, type RoutineInput } from '../../device-sim/routine.ts'
import { profileFor, planVillage } from '../../device-sim/village-plan.ts'

// Local day number of 2025-03-03 in village time (+08:00); every test below is about fixed dates.
const FIRST_DAY = Math.floor((Date.parse('2025-03-03T00:00:00+08:00') + 8 * HOUR) / DAY)
const midnight = (day: number): number => day * DAY - 8 * HOUR
const person = (seed: number, home: number): RoutineInput => ({ seed, key: home, profile: profileFor(seed, home) })

describe('routine timeline', () => {
  it('is the same for the same seed and different for another', () => {
    const from = midnight(FIRST_DAY)
    const a = routineTimeline(person(42, 3), from, from + 2 * DAY)
    const b = routineTimeline(person(42, 3), from, from + 2 * DAY)
    const c = routineTimeline(person(43, 3), from, from + 2 * DAY)
    expect(a.length).toBeGreaterThan(50)
    expect(b).toEqual(a)
    expect(c).not.toEqual(a)
  })

  it('does not depend on how the time is cut into windows', () => {
    const from = midnight(FIRST_DAY) + 5 * HOUR
    const whole = routineTimeline(person(7, 0), from, from + DAY)
    const pieces = [0, 1, 2, 3].flatMap((i) => routineTimeline(person(7, 0), from + i * 6 * HOUR, from + (i + 1) * 6 * HOUR))
    expect(pieces).toEqual(whole)
  })

  it('gives every night hours without motion, and most nights a bathroom trip', () => {
    let nights = 0
    let withTrip = 0
    for (let seed = 1; seed <= 5; seed++) {
      for (let home = 0; home < 4; home++) {
        const input = person(seed, home)
        for (let day = FIRST_DAY; day < FIRST_DAY + 14; day++) {
          const { bedtime } = planDay(input, day)
          const { wake } = planDay(input, day + 1)
          const pings = routineTimeline(input, bedtime, wake)
          const times = [bedtime, ...pings.map((p) => p.at), wake]
          const longestStill = Math.max(...times.slice(1).map((t, i) => t - (times[i] as number)))
          expect(longestStill, `seed ${seed} home ${home} day ${day}`).toBeGreaterThanOrEqual(2 * HOUR)
          nights++
          // After the bedtime routine and before getting up: a night-time trip to the bathroom.
          if (pings.some((p) => p.room === 'bathroom' && p.at > bedtime + 40 * MINUTE && p.at < wake - 20 * MINUTE)) withTrip++
        }
      }
    }
    expect(withTrip / nights).toBeGreaterThan(0.5)
  })

  it('has meals in the kitchen and someone up and about in the morning', () => {
    const input = person(42, 1)
    const day = FIRST_DAY + 2
    const pings = routineTimeline(input, midnight(day), midnight(day + 1))
    const at = (room: string, fromH: number, toH: number): boolean =>
      pings.some((p) => p.room === room && p.at >= midnight(day) + fromH * HOUR && p.at < midnight(day) + toH * HOUR)
    expect(at('kitchen', 5, 9)).toBe(true) // breakfast
    expect(at('kitchen', 10.5, 13.5)).toBe(true) // lunch
    expect(at('kitchen', 16, 20)).toBe(true) // dinner
  })

  it('has no motion after the person stops moving', () => {
    const from = midnight(FIRST_DAY) + 6 * HOUR
    const stop = from + 5 * HOUR + 17 * MINUTE
    const normal = routineTimeline(person(42, 2), from, from + DAY)
    const stopped = routineTimeline({ ...person(42, 2), stopsMovingAt: stop }, from, from + DAY)
    expect(normal.some((p) => p.at >= stop)).toBe(true)
    expect(stopped.length).toBeGreaterThan(0)
    expect(stopped.every((p) => p.at < stop)).toBe(true)
    expect(stopped).toEqual(normal.filter((p) => p.at < stop))
  })
})

describe('village plan', () => {
  it('is reproducible, has 1-4 sensors a home and the requested share of hubs', () => {
    const plan = planVillage({ seed: 42, homes: 20, hubRatio: 0.3, grids: 2, labelPrefix: '山下庄' })
    expect(planVillage({ seed: 42, homes: 20, hubRatio: 0.3, grids: 2, labelPrefix: '山下庄' })).toEqual(plan)
    expect(plan.filter((h) => h.hub)).toHaveLength(6)
    for (const home of plan) expect(home.rooms.length).toBeGreaterThanOrEqual(1)
    for (const home of plan) expect(home.rooms.length).toBeLessThanOrEqual(4)
    expect(new Set(plan.map((h) => h.rooms.length)).size).toBeGreaterThan(1)
    expect(plan[2]?.label).toBe('山下庄 3号')
  })
})
