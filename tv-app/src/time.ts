// Every time on the screen is China Standard Time (UTC+8, no daylight saving since 1991), whatever
// timezone the set-top box was left in: shift the instant by 8 h and read the UTC fields.
const CST_OFFSET_MS = 8 * 3600 * 1000

export interface CstParts { year: number, month: number, day: number, hour: number, minute: number, second: number, weekday: number }

export function cstParts (ms: number): CstParts {
  const d = new Date(ms + CST_OFFSET_MS)
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: d.getUTCDay()
  }
}

export function pad2 (n: number): string { return n < 10 ? '0' + n : String(n) }

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六']

/** "09:42" */
export function hhmm (ms: number): string { const p = cstParts(ms); return pad2(p.hour) + ':' + pad2(p.minute) }
/** "11-22 09:42" — the 更新于 stamp. */
export function mmddHhmm (ms: number): string { const p = cstParts(ms); return pad2(p.month) + '-' + pad2(p.day) + ' ' + hhmm(ms) }
/** "11月22日 09:42" */
export function dateTime (ms: number): string { const p = cstParts(ms); return p.month + '月' + p.day + '日 ' + hhmm(ms) }
/** "2026年11月22日" */
export function fullDate (ms: number): string { const p = cstParts(ms); return p.year + '年' + p.month + '月' + p.day + '日' }
/** "2026年11月22日 星期日" */
export function dateWithWeekday (ms: number): string { return fullDate(ms) + ' 星期' + WEEKDAYS[cstParts(ms).weekday] }
/** Whole days from 1970-01-01 of the CST calendar date of `ms`. */
export function cstDayNumber (ms: number): number { return Math.floor((ms + CST_OFFSET_MS) / 86400000) }
/** "2026-11-22" for a statement period string, shown as "2026年11月". */
export function periodLabel (start: string, end: string, kind: string): string {
  const y = start.slice(0, 4)
  const m = parseInt(start.slice(5, 7), 10)
  if (kind === 'year') return y + '年度'
  if (kind === 'quarter') return y + '年第' + (Math.floor((m - 1) / 3) + 1) + '季度'
  if (kind === 'month') return y + '年' + m + '月'
  return start + ' 至 ' + end
}
