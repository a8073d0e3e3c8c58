// Learning a home's model from its activity history. Pure: the history and its end are passed in.
//
// For every local time slot (48 half-hours) and day type, the model learns how long this person's
// stillness normally lasts when it STARTS in that slot, so a threshold covers a stillness that runs
// across slots (asleep 21:30-06:00 is one gap starting at 21:30). Per routine day and slot it takes the
// longest stillness starting there or in a neighbouring slot (habits drift by half an hour), and over
// the days a high quantile of that, times a buffer, plus a buffer: the per-slot percentile plus
// buffer of Cuddihy et al. 2007, with the time-of-day split of Floeck & Litz 2009. Robustness: lone
// events (pets, sunlight) are dropped before learning (stats.ts), which keeps them from cutting normal
// long gaps short and so from making the model too strict; a quantile below the maximum keeps a lost
// message or a sensor outage (gaps made too long) from setting the threshold.
import { filterActivity, lowerBound, quantile } from './stats.ts'
import { DAY, dayTypeOf, localDay, localMidnight, MINUTE, minuteOfDay, ROUTINE_DAY_SHIFT_MS, routineDay, type DayType } from './time.ts'
import type { HomeModel } from './model.ts'

export interface ActivityHistory {
  /** Activity event times (unix ms), any order; events at or after `until` are ignored. */
  activityTimes: readonly number[]
  until: number
  tzOffsetMinutes: number
}

export interface FixedThresholds {
  /** Stillness starting between dayStartMin and dayEndMin (local) may last dayMin. */
  dayMin: number
  dayStartMin: number
  dayEndMin: number
  /** Stillness starting in the evening or night may last until this local time (and at least dayMin). */
  nightUntilMin: number
}

export interface LearnOptions {
  slotMinutes: number
  /** Only this much recent history is learned from: habits change with seasons and health. */
  windowDays: number
  quantile: number
  /** A slot's sample per day covers stillness starting within this many slots either side... */
  neighbourSlots: number
  /** ...or, where few start, in up to this many slots before (the night's start). */
  maxBackSlots: number
  bufferFactor: number
  bufferMin: number
  minThresholdMin: number
  maxThresholdMin: number
  /** See countsAsActivity; 0 learns from every event (no noise filter). */
  isolationMs: number
  /** Fixed thresholds alone below this much history; then the learned ones blend in... */
  coldStartDays: number
  /** ...with weight (days - coldStartDays / 2) / (fullWeightDays - coldStartDays / 2), reaching 1 here. */
  fullWeightDays: number
  /** Fewer day samples than this for a slot: fall back (weekend → all days → fixed). */
  minSamples: number
  weekendSplit: boolean
  fixed: FixedThresholds
  /** Wake-by = this quantile of the wake-up times plus wakeBufferMin. */
  wakeQuantile: number
  wakeBufferMin: number
  /** False turns off wake-by (not_up) learning. */
  learnWake: boolean
  /**
   * Learn the thresholds only from the stillnesses that start at an activity time for which this is
   * true (e.g. only those at home, when a door sensor tells "out" apart); absent = every stillness.
   * Wake-by learning still sees every activity time.
   */
  learnFrom?: (start: number) => boolean
}

/**
 * Cold start: 3 h by day (06:00-19:00), and a stillness starting in the evening may last until 09:00
 * (at least 3 h). Rural elderly rise around 06:00 (routine model: 06:00 ± 35 min, latest 07:30), so
 * 09:00 is past nearly every normal morning; 3 h by day covers a market trip or a long nap without
 * leaving a fall unnoticed for half a day. The blend then moves each slot to the person's own habit.
 */
export const COLD_START: FixedThresholds = { dayMin: 180, dayStartMin: 6 * 60, dayEndMin: 19 * 60, nightUntilMin: 9 * 60 }

// Tuned on eval seed 1 (bench/eval), reported on seed 2; see bench/eval/README.md.
export const LEARN_DEFAULTS: LearnOptions = {
  slotMinutes: 30,
  windowDays: 42,
  quantile: 0.99,
  neighbourSlots: 1,
  maxBackSlots: 12,
  bufferFactor: 1.25,
  bufferMin: 40,
  minThresholdMin: 45,
  maxThresholdMin: 16 * 60,
  isolationMs: 10 * MINUTE,
  coldStartDays: 14,
  fullWeightDays: 28,
  minSamples: 6,
  weekendSplit: true,
  fixed: COLD_START,
  wakeQuantile: 0.95,
  wakeBufferMin: 30,
  learnWake: true
}

/** The fixed threshold, in minutes, for stillness starting `startMin` minutes after local midnight. */
export function fixedThresholdMin (fixed: FixedThresholds, startMin: number): number {
  if (startMin >= fixed.dayStartMin && startMin < fixed.dayEndMin) return fixed.dayMin
  const untilMorning = (fixed.nightUntilMin - startMin + 24 * 60) % (24 * 60)
  return Math.max(fixed.dayMin, untilMorning)
}

export function learnedWeight (historyDays: number, o: Pick<LearnOptions, 'coldStartDays' | 'fullWeightDays'>): number {
  if (historyDays < o.coldStartDays) return 0
  const from = o.coldStartDays / 2
  return Math.min(1, (historyDays - from) / (o.fullWeightDays - from))
}

/** The first activity of the morning: at or after 03:00 and followed by more within 30-120 min (not a night trip). */
function wakeTimes (times: readonly number[], tz: number, firstDay: number, lastDay: number): Map<number, number> {
  const out = new Map<number, number>()
  for (let day = firstDay; day <= lastDay; day++) {
    const midnight = localMidnight(day, tz)
    for (let i = lowerBound(times, midnight + 180 * MINUTE); i < times.length && (times[i] as number) < midnight + 12 * 60 * MINUTE; i++) {
      const e = times[i] as number
      const j = lowerBound(times, e + 30 * MINUTE)
      if (j < times.length && (times[j] as number) <= e + 120 * MINUTE) { out.set(day, minuteOfDay(e, tz)); break }
    }
  }
  return out
}

export function learnModel (history: ActivityHistory, options: Partial<LearnOptions> = {}): HomeModel {
  const o: LearnOptions = { ...LEARN_DEFAULTS, ...options }
  const tz = history.tzOffsetMinutes
  const slots = Math.round(24 * 60 / o.slotMinutes)
  const from = history.until - o.windowDays * DAY
  const raw = history.activityTimes.filter((t) => t >= from && t < history.until).sort((a, b) => a - b)
  const earliest = history.activityTimes.reduce((m, t) => Math.min(m, t), Infinity)
  const historyDays = Number.isFinite(earliest) ? Math.max(0, Math.min(o.windowDays, (history.until - earliest) / DAY)) : 0
  const weight = learnedWeight(historyDays, o)
  const fixedSlots = Array.from({ length: slots }, (_, k) => fixedThresholdMin(o.fixed, k * o.slotMinutes))
  const model: HomeModel = {
    version: 1,
    tzOffsetMinutes: tz,
    slotMinutes: o.slotMinutes,
    until: history.until,
    historyDays,
    learnedWeight: weight,
    thresholdsMin: { weekday: [...fixedSlots], weekend: [...fixedSlots] },
    wakeByMin: { weekday: null, weekend: null }
  }
  if (weight === 0) return model

  const times = filterActivity(raw, o.isolationMs)
  // Slots are counted from the start of the routine day (18:00), so "neighbours" never wrap between
  // two different nights; shift converts back to clock slots.
  const shift = Math.round(ROUTINE_DAY_SHIFT_MS / MINUTE / o.slotMinutes)
  // Per routine day and routine slot: the longest stillness starting in the slot, and the latest end
  // (minutes after the routine day's start, 18:00) of one. A slot's sample for a day is the longest
  // stillness starting in it or a neighbouring slot (habits drift by half an hour); where few start
  // (at night, only after a bathroom trip) also how long after the slot's start a stillness that began
  // earlier went on: a sleeper's night ends at the same hour whether or not a trip interrupted it.
  const longest = new Map<number, { dur: Float64Array, end: Float64Array }>()
  for (let i = 0; i + 1 < times.length; i++) {
    const a = times[i] as number
    if (o.learnFrom !== undefined && !o.learnFrom(a)) continue
    const rday = routineDay(a, tz)
    let row = longest.get(rday)
    if (row === undefined) { row = { dur: new Float64Array(slots).fill(NaN), end: new Float64Array(slots).fill(NaN) }; longest.set(rday, row) }
    const startMin = (minuteOfDay(a, tz) * MINUTE + ROUTINE_DAY_SHIFT_MS) % DAY / MINUTE
    const rslot = Math.floor(startMin / o.slotMinutes)
    const dur = ((times[i + 1] as number) - a) / MINUTE
    if (!(row.dur[rslot]! >= dur)) row.dur[rslot] = dur
    if (!(row.end[rslot]! >= startMin + dur)) row.end[rslot] = startMin + dur
  }
  const samplesFrom = (rslot: number, type: DayType | null, back: number): number[] => {
    const out: number[] = []
    const slotStart = rslot * o.slotMinutes
    for (const [rday, row] of longest) {
      if (type !== null && dayTypeOf(rday) !== type) continue
      let m = -Infinity
      for (let j = Math.max(0, rslot - o.neighbourSlots); j <= Math.min(slots - 1, rslot + o.neighbourSlots); j++) {
        if (row.dur[j]! > m) m = row.dur[j]!
      }
      for (let j = Math.max(0, rslot - back); j < rslot - o.neighbourSlots; j++) {
        if (row.end[j]! - slotStart > m) m = row.end[j]! - slotStart
      }
      if (m > 0) out.push(m)
    }
    return out.sort((a, b) => a - b)
  }
  // Night slots see few stillnesses start (only after a bathroom trip): widen backwards to the slots
  // where the night began, until there are enough days to take a quantile.
  const samples = (rslot: number, type: DayType | null): number[] => {
    let xs: number[] = []
    for (let back = o.neighbourSlots; back <= o.maxBackSlots; back++) {
      xs = samplesFrom(rslot, type, back)
      if (xs.length >= o.minSamples * 2) break
    }
    return xs
  }
  const learned = (xs: number[]): number => xs.length < o.minSamples
    ? NaN
    : Math.min(o.maxThresholdMin, Math.max(o.minThresholdMin, quantile(xs, o.quantile) * o.bufferFactor + o.bufferMin))
  for (let rslot = 0; rslot < slots; rslot++) {
    const clock = (rslot - shift + slots) % slots
    const all = learned(samples(rslot, null))
    for (const type of ['weekday', 'weekend'] as const) {
      const own = o.weekendSplit ? learned(samples(rslot, type)) : NaN
      const value = Number.isNaN(own) ? all : own
      if (!Number.isNaN(value)) model.thresholdsMin[type][clock] = (1 - weight) * fixedSlots[clock]! + weight * value
    }
  }

  if (o.learnWake) {
    const wakes = wakeTimes(times, tz, localDay(from, tz), localDay(history.until, tz) - 1)
    const of = (type: DayType | null): number[] => [...wakes].filter(([day]) => type === null || dayTypeOf(day) === type).map(([, m]) => m).sort((a, b) => a - b)
    const all = of(null)
    for (const type of ['weekday', 'weekend'] as const) {
      const own = o.weekendSplit ? of(type) : []
      const xs = own.length >= o.minSamples ? own : all
      if (xs.length >= o.minSamples) model.wakeByMin[type] = Math.min(24 * 60 - 1, quantile(xs, o.wakeQuantile) + o.wakeBufferMin)
    }
  }
  return model
}
