import { describe, expect, it } from 'vitest'
import type { ThresholdProvider } from '../../../src/alerts.ts'
import { FixedThresholds } from '../../../src/escalation/fixed-thresholds.ts'
import { alertText, closedText, formatDuration } from '../../../src/escalation/messages.ts'
import {
  checkInDelayMs, formatClock, inactivityDeadline, isSustained, isUpBy, nextNotUpCheck, quietHoursEnd, rememberActivity, silentSensors, SENSOR_SILENT_AFTER_MS
} from '../../../src/escalation/rules.ts'

const H = 3_600_000
/** A village-time instant (UTC+8) on 2024-05-01. */
const at = (hh: number, mm = 0, day = 1): number => Date.UTC(2024, 4, day, hh - 8, mm)

describe('alert rules', () => {
  it('fixed thresholds: 3 h when stillness starts by day, 10 h from the evening on', () => {
    const fixed = new FixedThresholds()
    expect(fixed.inactivityThresholdMs('h', at(9, 42))).toBe(3 * H)
    expect(fixed.inactivityThresholdMs('h', at(7))).toBe(3 * H)
    expect(fixed.inactivityThresholdMs('h', at(21))).toBe(10 * H)
    expect(fixed.inactivityThresholdMs('h', at(3))).toBe(10 * H)
    expect(fixed.usualWakeBy()).toBeNull()
  })

  it('inactivity counts from the later of last activity and the return from away', () => {
    const three = (): number => 3 * H
    expect(inactivityDeadline(at(9), null, three)).toEqual({ since: at(9), at: at(12) })
    expect(inactivityDeadline(at(9), at(18), three)).toEqual({ since: at(18), at: at(21) })
    expect(inactivityDeadline(at(9), at(8), three)).toEqual({ since: at(9), at: at(12) })
  })

  it('quiet hours, including a window across midnight', () => {
    const night = { start: '22:00', end: '06:30' }
    expect(quietHoursEnd(at(23), night)).toBe(at(6, 30, 2))
    expect(quietHoursEnd(at(2), night)).toBe(at(6, 30))
    expect(quietHoursEnd(at(12), night)).toBeNull()
    expect(quietHoursEnd(at(13), { start: '12:00', end: '14:00' })).toBe(at(14))
    expect(quietHoursEnd(at(13), null)).toBeNull()
  })

  it('not up: checks at the usual wake-up time, night trips do not count as up', () => {
    const model: ThresholdProvider = { inactivityThresholdMs: () => 3 * H, usualWakeBy: (_h, dayOf) => Date.UTC(2024, 4, new Date(dayOf + 8 * H).getUTCDate(), 7 - 8) }
    expect(nextNotUpCheck('h', at(5), at(2), model)).toBe(at(7))
    expect(nextNotUpCheck('h', at(5), at(4, 30), model)).toBe(at(7, 0, 2))
    expect(nextNotUpCheck('h', at(8), at(2), model)).toBe(at(7, 0, 2))
    expect(isUpBy(at(2), at(7))).toBe(false)
    expect(isUpBy(at(6), at(7))).toBe(true)
    expect(nextNotUpCheck('h', at(5), at(2), new FixedThresholds())).toBeNull()
  })

  it('a sensor is silent only while another sensor of the home still sees motion', () => {
    const now = at(12, 0, 10)
    const old = now - SENSOR_SILENT_AFTER_MS - 1
    expect(silentSensors(new Map([['s1', old], ['s2', now - H]]), now)).toEqual(['s1'])
    expect(silentSensors(new Map([['s1', old], ['s2', old]]), now)).toEqual([])
    expect(silentSensors(new Map([['s1', now - SENSOR_SILENT_AFTER_MS], ['s2', now]]), now)).toEqual([])
  })

  it('messages: Chinese, short, the name only to family and the grid worker', () => {
    const ctx = { type: 'inactivity' as const, label: '山下庄 12号', name: '王秀英', since: at(9, 42), at: at(12, 42) }
    expect(formatClock(at(9, 42))).toBe('09:42')
    expect(formatDuration(3 * H + 12 * 60_000)).toBe('3 小时 12 分钟')
    expect(alertText(ctx, 1)).toBe('【安居】山下庄 12号（王秀英） 自 09:42 起已 3 小时无活动，请确认老人安全。')
    expect(alertText(ctx, 2)).toContain('王秀英')
    expect(alertText(ctx, 3)).not.toContain('王秀英')
    expect(alertText(ctx, 0)).not.toContain('王秀英')
    expect(closedText(ctx, 3, 'resident_ok', true)).not.toContain('王秀英')
    expect(closedText(ctx, 1, 'resident_ok', true)).toContain('已检测到活动')
    expect(closedText(ctx, 1, 'hospital', false)).toContain('已送医')
  })
})

describe('two thresholds', () => {
  it('the check-in comes at the fraction of the threshold, clamped to [0, 1]', () => {
    expect(checkInDelayMs(4 * H, 0.75)).toBe(3 * H)
    expect(checkInDelayMs(4 * H, 1)).toBe(4 * H)
    expect(checkInDelayMs(4 * H, 2)).toBe(4 * H)
  })

  it('a burst within 3 min is not sustained activity; moving about for 4-15 min is', () => {
    const t = at(10)
    const M = 60_000
    expect(isSustained([], t)).toBe(false)
    expect(isSustained([t - 1 * M, t - 3 * M], t)).toBe(false)
    expect(isSustained([t - 4 * M], t)).toBe(true)
    expect(isSustained([t - 15 * M], t)).toBe(true)
    expect(isSustained([t - 16 * M], t)).toBe(false)
  })

  it('the thinned recent activity answers as every event of the window would, and stays a handful', () => {
    const M = 60_000
    // Deterministic pseudo-random gaps: bursts (seconds), moving about (minutes), stillness (up to 40 min),
    // and now and then an event up to 5 min late (cluster mode delivers out of order).
    let seed = 7
    const next = (): number => { seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31; return seed / 2 ** 31 }
    const all: number[] = []
    const thinned: number[] = []
    let clock = at(8)
    let longest = 0
    for (let i = 0; i < 5_000; i++) {
      const r = next()
      clock += r < 0.5 ? next() * 20_000 : r < 0.9 ? next() * 6 * M : next() * 40 * M
      const t = next() < 0.1 ? Math.round(clock - next() * 5 * M) : Math.round(clock)
      // The reference: every earlier event, nothing forgotten.
      expect(isSustained(thinned, t), `event ${i}`).toBe(isSustained(all, t))
      all.push(t)
      rememberActivity(thinned, t)
      longest = Math.max(longest, thinned.length)
    }
    expect(longest).toBeLessThanOrEqual(8)
    // A chatty sensor (an edge every 100 ms for an hour) still leaves a handful.
    const chatty: number[] = []
    for (let t = at(9); t < at(10); t += 100) rememberActivity(chatty, t)
    expect(chatty.length).toBeLessThanOrEqual(6)
    expect(isSustained(chatty, at(10))).toBe(true)
  })
})
