// Every day of the table against lunar-javascript: a wrong 农历 date on a village screen is noticed.
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { dayName, ganzhiYear, lunarFromDayNumber, lunarLabel, monthName, zodiac } from '../../tv-app/src/lunar.ts'

const require = createRequire(import.meta.url)
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const L: any = require('lunar-javascript')

describe('lunar date', () => {
  it('matches lunar-javascript on every day from 1950-02-17 to 2100-12-31', () => {
    const first = Date.UTC(1950, 1, 17) / 86400000
    const last = Date.UTC(2100, 11, 31) / 86400000
    let checked = 0
    let mismatch = ''
    for (let day = first; day <= last && !mismatch; day++) {
      const d = new Date(day * 86400000)
      const ref = L.Solar.fromYmd(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()).getLunar()
      const got = lunarFromDayNumber(day)
      const want = ref.getMonthInChinese() + '月' + ref.getDayInChinese() + ' ' + ref.getYearInGanZhi() + ref.getYearShengXiao()
      const mine = got ? monthName(got) + '月' + dayName(got.day) + ' ' + ganzhiYear(got.year) + zodiac(got.year) : 'null'
      if (mine !== want || got?.year !== ref.getYear()) mismatch = d.toISOString().slice(0, 10) + ': ' + mine + ' != ' + want
      checked++
    }
    expect(mismatch).toBe('')
    console.log('lunar: ' + checked + ' days checked against lunar-javascript')
  })

  it('labels a day in China time whatever the instant', () => {
    // 2025-11-22 20:00 UTC is already 11-23 in China.
    expect(lunarLabel(Date.UTC(2025, 10, 22, 3))).toBe('乙巳年(蛇) 农历十月初三')
    expect(lunarLabel(Date.UTC(2025, 10, 22, 17))).toBe('乙巳年(蛇) 农历十月初四')
    expect(lunarFromDayNumber(Date.UTC(1950, 1, 16) / 86400000)).toBeNull()
  })
})
