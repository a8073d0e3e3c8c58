// The app's pure parts, without a browser: spatial navigation geometry, China-time formatting, keys,
// retry backoff, money, the home banner and the care status line.
import { describe, expect, it } from 'vitest'
import { pickNext, type Dir } from '../../tv-app/src/focus.ts'
import { keyName } from '../../tv-app/src/keys.ts'
import { backoff } from '../../tv-app/src/sync.ts'
import { dateWithWeekday, hhmm, mmddHhmm, periodLabel } from '../../tv-app/src/time.ts'
import { money } from '../../tv-app/src/ui.ts'
import { bannerText } from '../../tv-app/src/screens/home.ts'
import { careStatus } from '../../tv-app/src/screens/care.ts'
import { calendar } from '../../tv-app/src/screens/party.ts'
import { demoState } from './fixture-server.ts'

const rect = (left: number, top: number, width: number, height: number) => ({ left, top, width, height, right: left + width, bottom: top + height })

describe('spatial navigation', () => {
  // The home layout: a 2×2 grid of tiles on the left, a list of notices on the right.
  const tiles = [rect(0, 0, 300, 200), rect(320, 0, 300, 200), rect(0, 220, 300, 200), rect(320, 220, 300, 200)]
  const notices = [rect(700, 0, 500, 60), rect(700, 70, 500, 60), rect(700, 140, 500, 60), rect(700, 210, 500, 60)]
  const all = tiles.concat(notices)
  const go = (from: number, dir: Dir): number => {
    const others = all.filter((_, i) => i !== from)
    const i = pickNext(all[from]!, others, dir)
    return i < 0 ? -1 : all.indexOf(others[i]!)
  }

  it('moves like a grid between the tiles', () => {
    expect(go(0, 'right')).toBe(1)
    expect(go(0, 'down')).toBe(2)
    expect(go(3, 'up')).toBe(1)
    expect(go(3, 'left')).toBe(2)
  })

  it('stays put at an edge rather than jumping diagonally far away', () => {
    expect(go(0, 'up')).toBe(-1)
    expect(go(0, 'left')).toBe(-1)
    expect(go(1, 'up')).toBe(-1) // not to the notices up-right
  })

  it('walks a list in order and crosses to the nearest item beside it', () => {
    expect(go(4, 'down')).toBe(5)
    expect(go(6, 'up')).toBe(5)
    expect(go(1, 'right')).toBe(5) // among the rows beside the tile, the one level with its middle
    expect(go(7, 'left')).toBe(3)
  })

  it('does not treat a full-width row above as "to the right" of a button', () => {
    const row = rect(0, 0, 1200, 60)
    const button = rect(0, 80, 200, 60)
    expect(pickNext(button, [row], 'right')).toBe(-1)
    expect(pickNext(button, [row], 'up')).toBe(0)
  })
})

describe('China time', () => {
  // 2026-11-22 17:05 UTC is 2026-11-23 01:05 in China, whatever the box's timezone.
  const t = Date.UTC(2026, 10, 22, 17, 5)
  it('formats in UTC+8', () => {
    expect(hhmm(t)).toBe('01:05')
    expect(mmddHhmm(t)).toBe('11-23 01:05')
    expect(dateWithWeekday(t)).toBe('2026年11月23日 星期一')
  })
  it('labels statement periods', () => {
    expect(periodLabel('2026-10-01', '2026-10-31', 'month')).toBe('2026年10月')
    expect(periodLabel('2026-07-01', '2026-09-30', 'quarter')).toBe('2026年第3季度')
    expect(periodLabel('2026-01-01', '2026-12-31', 'year')).toBe('2026年度')
  })
})

describe('remote keys', () => {
  it('maps arrows, OK and every spelling of Back', () => {
    expect([37, 38, 39, 40, 13].map((c) => keyName(c))).toEqual(['left', 'up', 'right', 'down', 'ok'])
    expect([8, 27, 461, 10009].map((c) => keyName(c))).toEqual(['back', 'back', 'back', 'back'])
    expect(keyName(0, 'GoBack')).toBe('back')
    expect(keyName(65, 'a')).toBeNull()
  })
})

describe('retry backoff', () => {
  it('doubles from 2 s and is capped, with jitter of ±20 %', () => {
    expect(backoff(0, 60000, 0.5)).toBe(2000)
    expect(backoff(3, 60000, 0.5)).toBe(16000)
    expect(backoff(30, 60000, 0.5)).toBe(60000)
    expect(backoff(30, 60000, 1)).toBe(72000)
    expect(backoff(30, 60000, 0)).toBe(48000)
  })
})

describe('screens', () => {
  const now = Date.UTC(2026, 10, 22, 2)
  it('formats money in fen without Intl', () => {
    expect(money(12345678)).toBe('¥123,456.78')
    expect(money(5)).toBe('¥0.05')
    expect(money(-100000)).toBe('-¥1,000.00')
  })

  it('shows the banner for a broadcast, then an open household alert, then an urgent notice', () => {
    const s = demoState(now, true)
    expect(bannerText(s, now)).toBeNull() // the demo's only alert is resolved
    s.household!.alerts.push({ id: 'a2', type: 'not_up', state: 'acknowledged', openedAt: now, resolvedAt: null, statusText: '网格员已确认,正在处理' })
    expect(bannerText(s, now)).toBe('本户提醒:网格员已确认,正在处理')
    s.broadcast = { id: 'b', kind: 'flood', title: '防汛紧急通知', body: '', startedAt: now, endsAt: null }
    expect(bannerText(s, now)).toBe('紧急广播:防汛紧急通知')
    s.broadcast.endsAt = now - 1
    expect(bannerText(s, now)).toContain('本户提醒')
  })

  it('writes the care status as the issue asks', () => {
    const s = demoState(now, true)
    s.household!.care.lastActivityAt = Date.UTC(2026, 10, 22, 1, 42)
    expect(careStatus(s.household!)).toBe('活动正常 · 最近活动 09:42')
  })

  it('lists upcoming meetings first, soonest on top', () => {
    const cal = calendar(demoState(now, false).meetings, now, 10)
    expect(cal.map((m) => m.id)).toEqual(['m1', 'm2', 'm3'])
  })
})
