// Replaying one home's events through one detector in simulated time, with the escalation ladder of
// src/alerts.ts (DEFAULT_LADDER). No timers: the next alert of a stillness is computed, not waited for.
//
// Ladder model (kept simple on purpose):
// - An alert first asks the resident on the TV (rung 0). Any activity the detector counts within the
//   TV timeout auto-resolves it. A resident who is fine answers with probability TV_ANSWER, but only
//   when awake and at home: the person moved (in any room, sensed or not) within 10 min before the
//   alert or during the timeout. Asleep, out in the field or at the market, nobody answers.
// - Unanswered, family is told (rung 1). Activity within the family timeout auto-resolves; otherwise
//   family acknowledges (they phone the resident and find them well) with probability FAMILY_ACK.
// - Otherwise the grid worker is told (rung 2) and visits.
// - Every resolution (answer, acknowledgement, visit) restarts the stillness timer at that moment, as
//   the alert engine restarts it on a resolution.
// not_up (src/escalation/rules.ts): at the usual wake-by time, an alert if nothing since 04:00 that day.
import { DEFAULT_LADDER, type LadderConfig } from '../../src/alerts.ts'
import { rngFor } from '../../device-sim/prng.ts'
import { lowerBound } from '../../src/activity-model/stats.ts'
import { DAY, HOUR, MINUTE, localDay, localMidnight, minuteOfDay } from '../../src/activity-model/time.ts'
import { TZ, type DayRule, type Detector } from './detectors.ts'
import type { HomeData } from './generate.ts'

export const TV_ANSWER = 0.85
export const FAMILY_ACK = 0.7
/** The TV answer, the family's call and the grid worker's visit take this long after their rung. */
const ANSWER_DELAY = 2 * MINUTE
const FAMILY_CALL_DELAY = 10 * MINUTE
const VISIT_DELAY = 45 * MINUTE
/** Same constant as MORNING_STARTS_LOCAL_MS in src/escalation/rules.ts. */
const MORNING_STARTS_MIN = 4 * 60
/** How long after the emergency an alert still counts as detection. */
export const MISS_AFTER = 24 * HOUR

export interface HomeResult {
  falseTv: number
  falseFamily: number
  falseGrid: number
  /** Of which in the home's first 28 days (cold start and blending). */
  falseFamilyEarly: number
  /** Days observed before the emergency. */
  homeDays: number
  emergencyAt: number
  night: boolean
  /** Minutes from the emergency to the first alert (TV) and to family; null = missed within 24 h. */
  delayTvMin: number | null
  delayFamilyMin: number | null
}

/** Night emergencies: 22:00-06:00 local, the night hours of China's noise standard GB 3096-2008. */
export const isNight = (t: number): boolean => { const m = minuteOfDay(t, TZ); return m >= 22 * 60 || m < 6 * 60 }

/** A false alarm that reached family, for diagnostics. */
export interface FalseAlarm { since: number, alertAt: number, next: number, grid: boolean }

export function replay (home: HomeData, detector: Detector, ladder: LadderConfig = DEFAULT_LADDER, onFalseAlarm?: (fa: FalseAlarm) => void): HomeResult {
  const { emergencyAt: T, end } = home
  const activity = detector.activity(home.events)
  const rules = new Map<number, DayRule>()
  const ruleOf = (t: number): DayRule => {
    const day = localDay(t, TZ)
    let rule = rules.get(day)
    if (rule === undefined) { rule = detector.rule(home.events, day); rules.set(day, rule) }
    return rule
  }
  const rnd = rngFor(home.index, 'eval-ladder', detector.name)
  const awake = (t: number): boolean => {
    const i = lowerBound(home.movements, t - 10 * MINUTE)
    return i < home.movements.length && (home.movements[i] as number) <= t + ladder.tvTimeoutMs
  }
  const nextActivity = (after: number): number => { const i = lowerBound(activity, after + 1); return i < activity.length ? activity[i] as number : Infinity }
  const result: HomeResult = {
    falseTv: 0, falseFamily: 0, falseGrid: 0, falseFamilyEarly: 0, homeDays: (T - home.start) / DAY, emergencyAt: T, night: isNight(T), delayTvMin: null, delayFamilyMin: null
  }

  let since = home.start
  while (since < end) {
    const next = nextActivity(since)
    // The first alert of this stillness: inactivity, or not_up on a morning it spans.
    let alertAt = since + ruleOf(since).thresholdMs(since)
    for (let day = localDay(since, TZ); localMidnight(day, TZ) < Math.min(next, alertAt, end); day++) {
      const wakeBy = ruleOf(localMidnight(day, TZ)).wakeBy(day)
      if (wakeBy !== null && wakeBy > since && since < localMidnight(day, TZ) + MORNING_STARTS_MIN * MINUTE) alertAt = Math.min(alertAt, wakeBy)
    }
    if (alertAt >= next || alertAt >= end) { since = next; continue }
    const tvUntil = alertAt + ladder.tvTimeoutMs
    if (alertAt >= T) {
      result.delayTvMin ??= (alertAt - T) / MINUTE
      if (next < tvUntil) { since = next; continue } // spurious activity auto-resolved it
      if (tvUntil - T <= MISS_AFTER) result.delayFamilyMin = (tvUntil - T) / MINUTE
      break
    }
    result.falseTv++
    if (next < tvUntil) { since = next; continue }
    if (awake(alertAt) && rnd() < TV_ANSWER) { since = Math.min(next, alertAt + ANSWER_DELAY); continue }
    if (tvUntil >= T) { result.delayFamilyMin = (tvUntil - T) / MINUTE; result.delayTvMin ??= 0; break }
    result.falseFamily++
    if (alertAt - home.start < 28 * DAY) result.falseFamilyEarly++
    const familyUntil = tvUntil + ladder.familyTimeoutMs
    if (next < familyUntil) { onFalseAlarm?.({ since, alertAt, next, grid: false }); since = next; continue }
    const acked = rnd() < FAMILY_ACK
    onFalseAlarm?.({ since, alertAt, next, grid: !acked })
    if (acked) { since = Math.min(next, familyUntil + FAMILY_CALL_DELAY); continue }
    result.falseGrid++
    since = Math.min(next, familyUntil + VISIT_DELAY)
  }
  return result
}
