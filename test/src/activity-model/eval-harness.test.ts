import { describe, expect, it } from 'vitest'
import { runEval } from '../../../bench/eval/run.ts'
import { replay } from '../../../bench/eval/replay.ts'
import { anju, fixedBaseline } from '../../../bench/eval/detectors.ts'
import type { HomeData } from '../../../bench/eval/generate.ts'
import { HOUR, localMidnight, MINUTE } from '../../../src/activity-model/time.ts'

const start = Date.UTC(2026, 2, 1, 16)

describe('evaluation harness', () => {
  it('gives the same result for the same seed', () => {
    const config = { homes: 3, days: 20, seed: 5, start }
    const a = runEval(config)
    expect(JSON.stringify(runEval(config))).toBe(JSON.stringify(a))
    expect(a.detectors.anju?.emergencies).toBe(3)
    expect(Object.keys(a.detectors)).toEqual(['anju', 'anju-checkin', 'fixed', 'cuddihy'])
  })

  it('detects a person who stops moving in the morning', () => {
    const day0 = 20514
    const events: number[] = []
    for (let d = day0; d < day0 + 30; d++) {
      for (let t = localMidnight(d, 480) + 6 * HOUR; t <= localMidnight(d, 480) + 21.5 * HOUR; t += 15 * MINUTE) events.push(t, t + 2 * MINUTE)
    }
    const emergencyAt = localMidnight(day0 + 25, 480) + 10 * HOUR
    const home: HomeData = {
      index: 0,
      rooms: ['living_room'],
      start: localMidnight(day0, 480),
      emergencyAt,
      end: emergencyAt + 24 * HOUR,
      events: events.filter((t) => t < emergencyAt),
      movements: events.filter((t) => t < emergencyAt),
      noise: { spuriousFraction: 0, bursty: false, lossRate: 0, outages: 0, weekendHabit: false }
    }
    const learned = replay(home, anju())
    expect(learned.delayFamilyMin).not.toBeNull()
    expect(learned.delayFamilyMin as number).toBeLessThan(90)
    expect(learned.falseFamily).toBe(0)
    // The fixed baseline waits its 4 h from the last movement (09:47).
    expect(replay(home, fixedBaseline).delayFamilyMin as number).toBeGreaterThan(3.5 * 60)
  })
})
