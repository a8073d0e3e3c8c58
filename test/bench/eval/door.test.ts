import { describe, expect, it } from 'vitest'
import { generateHome, type EvalConfig } from '../../../bench/eval/generate.ts'
import { anjuDoor, doorStates, isOut } from '../../../bench/eval/door-detector.ts'
import { anju } from '../../../bench/eval/detectors.ts'
import { replay, type HomeResult } from '../../../bench/eval/replay.ts'
import type { HomeData } from '../../../bench/eval/generate.ts'
import { HOUR, localDay, localMidnight, MINUTE } from '../../../src/activity-model/time.ts'
import type { Room } from '../../../device-sim/routine.ts'

const start = Date.UTC(2026, 2, 1, 16)
const config: EvalConfig = { homes: 6, days: 30, seed: 9, start }
const rooms: Room[] = ['living_room', 'bedroom']

describe('door sensor simulation', () => {
  it('brackets every stretch out of the house with an opening on leaving and one on coming back', () => {
    let stretches = 0
    for (let i = 0; i < 6; i++) {
      const home = generateHome({ ...config, doorFraction: 1, doorLoss: 0, doorExtraPerDay: 0 }, i, rooms)
      const away = home.away ?? []
      stretches += away.length
      // No loss, no openings at home: exactly two per stretch, in order, at its ends.
      expect(home.doors).toHaveLength(2 * away.length)
      away.forEach((a, k) => {
        const [leave, back] = [home.doors?.[2 * k] as number, home.doors?.[2 * k + 1] as number]
        expect(leave - a.from).toBeGreaterThanOrEqual(0)
        expect(leave - a.from).toBeLessThanOrEqual(15_000)
        expect(back).toBeGreaterThan(leave)
        expect(back).toBeLessThanOrEqual(Math.min(a.to, home.emergencyAt))
        expect(Math.min(a.to, home.emergencyAt) - back).toBeLessThanOrEqual(15_001)
        // Out of the house: the person moves nowhere in between.
        expect(home.movements.some((t) => t > leave && t < back)).toBe(false)
      })
      expect(home.doors?.every((t) => t < home.emergencyAt)).toBe(true)
    }
    expect(stretches).toBeGreaterThan(50)
  })

  it('leaves the PIR events, movements and emergency unchanged, and has no door without the flag', () => {
    for (let i = 0; i < 3; i++) {
      const without = generateHome(config, i, rooms)
      const withDoor = generateHome({ ...config, doorFraction: 1 }, i, rooms)
      expect(without.doors).toEqual([])
      expect(without.away).toEqual([])
      expect(withDoor.events).toEqual(without.events)
      expect(withDoor.movements).toEqual(without.movements)
      expect(withDoor.emergencyAt).toBe(without.emergencyAt)
      expect(withDoor.noise).toEqual(without.noise)
      expect((withDoor.doors ?? []).length).toBeGreaterThan(2 * (withDoor.away ?? []).length)
    }
  })
})

describe('anju-door', () => {
  it('reads a door opening as a leave or a return, and any counted motion as home', () => {
    const s = doorStates([0, 10, 100, 200], [20, 50, 150, 250, 300])
    expect(isOut(s, 15)).toBe(false)
    expect(isOut(s, 20)).toBe(true) // left
    expect(isOut(s, 49)).toBe(true)
    expect(isOut(s, 50)).toBe(false) // came back in
    expect(isOut(s, 150)).toBe(true) // left again (or a neighbour at the door)...
    expect(isOut(s, 200)).toBe(false) // ...motion: someone is home, whatever the door said
    expect(isOut(s, 250)).toBe(true)
    expect(isOut(s, 300)).toBe(false)
  })

  // 40 days of motion every 5 min 07:00-21:00 except a 10:00-12:30 outing on every day but the last,
  // bracketed by door openings; on the last day the person stays home and stops moving at 10:30.
  const day0 = localDay(start, 480)
  const events: number[] = []
  const doors: number[] = []
  for (let d = day0; d < day0 + 40; d++) {
    const m = localMidnight(d, 480)
    const outing = d < day0 + 39
    for (let t = m + 7 * HOUR; t <= m + 21 * HOUR; t += 5 * MINUTE) {
      if (outing && t > m + 10 * HOUR && t < m + 12.5 * HOUR) continue
      events.push(t)
    }
    if (outing) doors.push(m + 10 * HOUR + 10_000, m + 12.5 * HOUR - 10_000)
  }
  const emergencyAt = localMidnight(day0 + 39, 480) + 10.5 * HOUR + MINUTE
  const base = { index: 0, rooms, start: localMidnight(day0, 480), emergencyAt, end: emergencyAt + 24 * HOUR, noise: { spuriousFraction: 0, bursty: false, lossRate: 0, outages: 0, weekendHabit: false } }
  const home = (doorsSeen: number[]): HomeData => ({ ...base, events: events.filter((t) => t < emergencyAt), movements: events.filter((t) => t < emergencyAt), doors: doorsSeen })
  const run = (h: HomeData, d = anjuDoor()): HomeResult => replay(h, d)

  it('uses a long threshold while out and a short one at home', () => {
    const rule = anjuDoor().rule(events, day0 + 39, doors)
    const leave = doors[doors.length - 2] as number
    // Out after the last leave: at least the learned outing; at home at 10:00, far less.
    expect(isOut(doorStates(events, doors), leave)).toBe(true)
    expect(rule.thresholdMs(leave)).toBeGreaterThan(2.5 * HOUR)
    expect(rule.thresholdMs(leave - 60_000)).toBeLessThan(1.5 * HOUR)
  })

  it('finds a stillness at home sooner than motion alone, without calling family on the outings', () => {
    const door = run(home(doors))
    const pir = run(home(doors), anju())
    expect(door.falseFamily).toBe(0)
    expect(pir.falseFamily).toBe(0)
    expect(door.delayFamilyMin as number).toBeLessThan(90)
    expect(pir.delayFamilyMin as number).toBeGreaterThan(2.5 * 60)
  })

  it('fails safe when a door opening is lost', () => {
    // The last outing's return opening lost: the motion on coming back means home again, no alarm.
    const lostReturn = doors.filter((_, i) => i !== doors.length - 1)
    expect(run(home(lostReturn)).falseFamily).toBe(0)
    // Its leave lost: the outing looks like stillness at home, as without a door: family is called.
    const lostLeave = doors.filter((_, i) => i !== doors.length - 2)
    expect(run(home(lostLeave)).falseFamily).toBeGreaterThan(0)
    // Either way the emergency at home is still found quickly.
    expect(run(home(lostReturn)).delayFamilyMin as number).toBeLessThan(90)
  })
})
