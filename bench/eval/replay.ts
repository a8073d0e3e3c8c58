// Replaying one home's events through one detector in simulated time, with the escalation ladder of
// src/alerts.ts (DEFAULT_LADDER) as the alert engine (gateway/alerts/alert-watch.ts) walks it. No
// timers: the next alert of a stillness is computed, not waited for.
//
// Ladder model (kept simple on purpose):
// - Two thresholds (the live engine's check-in design, src/escalation/rules.ts checkInThresholdMs): the
//   TV check-in (rung 0) asks the resident once the stillness reaches checkInFraction x the detector's
//   threshold T; family (rung 1) is told when the stillness reaches familyFraction x T (never before the
//   TV timeout has passed). checkInFraction = familyFraction = 1 is the one-threshold ladder (TV at T,
//   family 5 min later).
// - Any activity the detector counts before family is told auto-resolves the alert. A resident who is
//   fine answers the check-in with probability tvAnswer, but only when awake and at home: the person
//   moved (in any room, sensed or not) within 10 min before the check-in or during the TV timeout.
//   Asleep, out in the yard, the field or at the market, nobody answers; the prompt is answered in that
//   first window or not at all (conservative: later motion only ends the alert if the detector counts it).
//   The person in an emergency never answers.
// - Unanswered, family is told (rung 1). Activity within the family timeout auto-resolves; otherwise
//   family acknowledges (they phone the resident and find them well) with probability FAMILY_ACK.
// - Otherwise the grid worker is told (rung 2) and visits.
// - Every resolution (answer, acknowledgement, visit) restarts the stillness timer at that moment, as
//   the alert engine restarts it on a resolution.
// not_up (src/escalation/rules.ts): at the usual wake-by time, an alert if nothing since 04:00 that day.
// As in the engine, a not_up due while a check-in is open calls family then (the check-in covers it).
import { DEFAULT_LADDER, type LadderConfig } from '../../src/alerts.ts'
import { CHECK_IN_FRACTION, SUSTAINED_MIN_SPAN_MS, SUSTAINED_WINDOW_MS } from '../../src/escalation/rules.ts'
import { rngFor } from '../../device-sim/prng.ts'
import { lowerBound } from '../../src/activity-model/stats.ts'
import { DAY, HOUR, MINUTE, localDay, localMidnight, minuteOfDay } from '../../src/activity-model/time.ts'
import { TZ, type DayRule, type Detector } from './detectors.ts'
import type { HomeData } from './generate.ts'

export const TV_ANSWER = 0.85
export const FAMILY_ACK = 0.7

/** The ladder design under test (see the header). */
export interface LadderDesign {
  ladder: LadderConfig
  /** TV check-in at this fraction of the detector's threshold (1 = at the threshold). */
  checkInFraction: number
  /** Family at this fraction of the threshold (at least the TV timeout after the check-in). */
  familyFraction: number
  /** Probability that a fine resident, awake and at home, answers the TV check-in. */
  tvAnswer: number
  /** Unanswered early check-in: ask on the TV again at the family threshold, family one TV timeout later. */
  reask: boolean
  /**
   * While an unanswered check-in waits for family, only sustained activity ends it (a counted event with
   * another 4-15 min before it: someone moving about), not a burst of a few events within minutes.
   */
  sustainedToEnd: boolean
}

export const ONE_THRESHOLD: LadderDesign = { ladder: DEFAULT_LADDER, checkInFraction: 1, familyFraction: 1, tvAnswer: TV_ANSWER, reask: false, sustainedToEnd: false }

/** What the alert engine does (gateway/alerts/alert-watch.ts): early check-in, re-ask, sustained activity. */
export const engineDesign = (checkInFraction = CHECK_IN_FRACTION, tvAnswer = TV_ANSWER): LadderDesign => ({
  ladder: DEFAULT_LADDER, checkInFraction, familyFraction: 1, tvAnswer, reask: checkInFraction < 1, sustainedToEnd: checkInFraction < 1
})
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

export function replay (home: HomeData, detector: Detector, design: LadderDesign = engineDesign(), onFalseAlarm?: (fa: FalseAlarm) => void): HomeResult {
  const { ladder } = design
  const { emergencyAt: T, end } = home
  const activity = detector.activity(home.events, home.doors)
  const rules = new Map<number, DayRule>()
  const ruleOf = (t: number): DayRule => {
    const day = localDay(t, TZ)
    let rule = rules.get(day)
    if (rule === undefined) { rule = detector.rule(home.events, day, home.doors); rules.set(day, rule) }
    return rule
  }
  const rnd = rngFor(home.index, 'eval-ladder', detector.name)
  const awake = (t: number): boolean => {
    const i = lowerBound(home.movements, t - 10 * MINUTE)
    return i < home.movements.length && (home.movements[i] as number) <= t + ladder.tvTimeoutMs
  }
  const nextActivity = (after: number): number => { const i = lowerBound(activity, after + 1); return i < activity.length ? activity[i] as number : Infinity }
  const nextSustained = (after: number): number => {
    for (let i = lowerBound(activity, after + 1); i < activity.length; i++) {
      const t = activity[i] as number
      const j = lowerBound(activity, t - SUSTAINED_WINDOW_MS)
      if (j < activity.length && (activity[j] as number) <= t - SUSTAINED_MIN_SPAN_MS) return t
    }
    return Infinity
  }
  const result: HomeResult = {
    falseTv: 0, falseFamily: 0, falseGrid: 0, falseFamilyEarly: 0, homeDays: (T - home.start) / DAY, emergencyAt: T, night: isNight(T), delayTvMin: null, delayFamilyMin: null
  }

  let since = home.start
  while (since < end) {
    const next = nextActivity(since)
    const threshold = ruleOf(since).thresholdMs(since)
    // The check-in (rung 0): the early threshold, or not_up on a morning the stillness spans.
    const checkInAt = since + design.checkInFraction * threshold
    let wakeAt = Infinity
    for (let day = localDay(since, TZ); localMidnight(day, TZ) < Math.min(next, since + threshold, end); day++) {
      const wakeBy = ruleOf(localMidnight(day, TZ)).wakeBy(day)
      if (wakeBy !== null && wakeBy > since && since < localMidnight(day, TZ) + MORNING_STARTS_MIN * MINUTE) wakeAt = Math.min(wakeAt, wakeBy)
    }
    const alertAt = Math.min(checkInAt, wakeAt)
    if (alertAt >= next || alertAt >= end) { since = next; continue }
    // Family: at the family threshold, or the TV timeout after a not_up (whichever comes first), and
    // never before the TV timeout has run. With reask, the TV asks again at the family threshold (or at
    // the wake-by time, as the engine's not_up check does) and family is told one TV timeout later.
    const familyThresholdAt = Math.max(alertAt + ladder.tvTimeoutMs, Math.min(since + design.familyFraction * threshold, wakeAt + ladder.tvTimeoutMs))
    // The engine's not_up check re-asks only when nothing counted since 04:00 (a burst counts as up).
    const upEarly = wakeAt !== Infinity && ((i) => i < activity.length && (activity[i] as number) < wakeAt)(lowerBound(activity, Math.max(since + 1, localMidnight(localDay(wakeAt, TZ), TZ) + MORNING_STARTS_MIN * MINUTE)))
    const reaskAt0 = Math.max(alertAt + ladder.tvTimeoutMs, Math.min(since + design.familyFraction * threshold, upEarly ? Infinity : wakeAt))
    const reaskAt = design.reask && familyThresholdAt > alertAt + ladder.tvTimeoutMs ? reaskAt0 : null
    const tvUntil = reaskAt === null ? familyThresholdAt : reaskAt + ladder.tvTimeoutMs
    const sustainedGate = design.sustainedToEnd && tvUntil > alertAt + ladder.tvTimeoutMs
    // What ends the alert before family is told: any counted activity during the TV timeout, then (with
    // sustainedToEnd) only sustained activity.
    const ends = next < alertAt + ladder.tvTimeoutMs || !sustainedGate ? next : Math.max(next, nextSustained(alertAt + ladder.tvTimeoutMs))
    if (alertAt >= T) {
      result.delayTvMin ??= (alertAt - T) / MINUTE
      if (ends < tvUntil) { since = ends; continue } // spurious activity auto-resolved it
      if (tvUntil - T <= MISS_AFTER) result.delayFamilyMin = (tvUntil - T) / MINUTE
      break
    }
    result.falseTv++
    if (next < alertAt + ladder.tvTimeoutMs) { since = next; continue }
    if (awake(alertAt) && rnd() < design.tvAnswer) { since = Math.min(next, alertAt + ANSWER_DELAY); continue }
    // From here the check-in is unanswered and waits for family (or a re-ask).
    if (reaskAt !== null && reaskAt < T && ends >= reaskAt + ladder.tvTimeoutMs) {
      result.falseTv++
      if (awake(reaskAt) && rnd() < design.tvAnswer) { since = Math.min(ends, reaskAt + ANSWER_DELAY); continue }
    }
    if (ends < tvUntil) { since = ends; continue } // moved (counted) before family was told
    if (tvUntil >= T) { if (tvUntil - T <= MISS_AFTER) result.delayFamilyMin = (tvUntil - T) / MINUTE; result.delayTvMin ??= 0; break }
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
