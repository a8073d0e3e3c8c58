// Village local time for the activity model. Pure: every function takes the time and the offset.
// China has one time zone (UTC+8) and no daylight saving, so a fixed offset is exact there.

export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR
export const CHINA_TZ_OFFSET_MINUTES = 480

export type DayType = 'weekday' | 'weekend'

/** Days since the epoch in local time. */
export const localDay = (t: number, tzMin: number): number => Math.floor((t + tzMin * MINUTE) / DAY)

export const localMidnight = (day: number, tzMin: number): number => day * DAY - tzMin * MINUTE

/** Minutes after local midnight, fractional. */
export function minuteOfDay (t: number, tzMin: number): number {
  const ms = (((t + tzMin * MINUTE) % DAY) + DAY) % DAY
  return ms / MINUTE
}

/** Saturday or Sunday; local day 0 (1970-01-01) was a Thursday. */
export function isWeekend (day: number): boolean {
  const weekday = (((day + 4) % 7) + 7) % 7
  return weekday === 0 || weekday === 6
}

/**
 * Routine days run from 18:00 to 18:00: an evening and its night belong to the morning that follows,
 * so Friday evening (before a Saturday lie-in) counts as weekend and Sunday evening as a weekday.
 */
export const ROUTINE_DAY_SHIFT_MS = 6 * HOUR

export const routineDay = (t: number, tzMin: number): number => localDay(t + ROUTINE_DAY_SHIFT_MS, tzMin)

export const dayTypeOf = (day: number): DayType => isWeekend(day) ? 'weekend' : 'weekday'

/** The day type that governs a stretch of stillness starting at `t`. */
export const dayTypeAt = (t: number, tzMin: number): DayType => dayTypeOf(routineDay(t, tzMin))
