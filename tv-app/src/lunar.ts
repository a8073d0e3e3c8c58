// 农历 date from the compact table in lunar-data.ts (1950-02-17 .. 2101-01-28). Checked day by day
// against lunar-javascript in test/tv-app/lunar.test.ts.
import { LUNAR_EPOCH, LUNAR_FIRST_YEAR, LUNAR_YEARS } from './lunar-data.ts'
import { cstDayNumber } from './time.ts'

export interface LunarDate { year: number, month: number, day: number, leap: boolean }

const EPOCH_DAY = Math.floor(Date.UTC(LUNAR_EPOCH[0], LUNAR_EPOCH[1] - 1, LUNAR_EPOCH[2]) / 86400000)

function monthCount (bits: number): number { return (bits >> 13) ? 13 : 12 }
function monthDays (bits: number, i: number): number { return (bits & (1 << i)) ? 30 : 29 }
function yearDays (bits: number): number {
  let n = 0
  for (let i = 0; i < monthCount(bits); i++) n += monthDays(bits, i)
  return n
}

/** The lunar date of a Gregorian day number (days since 1970-01-01), or null outside the table. */
export function lunarFromDayNumber (dayNumber: number): LunarDate | null {
  let offset = dayNumber - EPOCH_DAY
  if (offset < 0) return null
  for (let y = 0; y < LUNAR_YEARS.length; y++) {
    const bits = LUNAR_YEARS[y] as number
    const len = yearDays(bits)
    if (offset >= len) { offset -= len; continue }
    const leapMonth = bits >> 13
    for (let i = 0; i < monthCount(bits); i++) {
      const days = monthDays(bits, i)
      if (offset < days) {
        // Months before the leap month keep their number; the leap month repeats the one before it.
        const leap = leapMonth > 0 && i === leapMonth
        const month = leapMonth > 0 && i >= leapMonth ? i : i + 1
        return { year: LUNAR_FIRST_YEAR + y, month, day: offset + 1, leap }
      }
      offset -= days
    }
  }
  return null
}

/** The lunar date of an instant, in China Standard Time. */
export function lunarFromMs (ms: number): LunarDate | null { return lunarFromDayNumber(cstDayNumber(ms)) }

const MONTHS = ['正', '二', '三', '四', '五', '六', '七', '八', '九', '十', '冬', '腊']
const DIGITS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十']
const GAN = '甲乙丙丁戊己庚辛壬癸'
const ZHI = '子丑寅卯辰巳午未申酉戌亥'
const ANIMALS = '鼠牛虎兔龙蛇马羊猴鸡狗猪'

/** "十", "闰六" — the month as lunar-javascript's getMonthInChinese() writes it (正/冬/腊). */
export function monthName (d: LunarDate): string { return (d.leap ? '闰' : '') + MONTHS[d.month - 1] }

/** "初三", "十五", "廿一", "三十" */
export function dayName (day: number): string {
  if (day === 10) return '初十'
  if (day === 20) return '二十'
  if (day === 30) return '三十'
  return '初十廿'.charAt(Math.floor(day / 10)) + DIGITS[(day % 10) - 1]
}

/** "乙巳" for the lunar year (the year changes at 正月初一, as villagers count it). */
export function ganzhiYear (year: number): string {
  return GAN.charAt((year - 4) % 10) + ZHI.charAt((year - 4) % 12)
}
export function zodiac (year: number): string { return ANIMALS.charAt((year - 4) % 12) }

/** "乙巳年(蛇) 农历十月初三" — empty outside the table rather than a wrong date. */
export function lunarLabel (ms: number): string {
  const d = lunarFromMs(ms)
  if (!d) return ''
  return ganzhiYear(d.year) + '年(' + zodiac(d.year) + ') 农历' + monthName(d) + '月' + dayName(d.day)
}
