// The alert types' rules: when a condition starts, which rungs an alert may use, and village time.
// Pure: every function takes the time it needs.
import type { AlertType, Rung, ThresholdProvider } from '../alerts.ts'

/** Villages run on China Standard Time (UTC+8, no daylight saving). */
export const VILLAGE_UTC_OFFSET_MS = 8 * 3_600_000
const DAY_MS = 86_400_000

/** A home whose every device is offline this long gets a home_offline alert (one missed reconnect is not one). */
export const HOME_OFFLINE_AFTER_MS = 30 * 60_000
/** Below this battery percentage a low_battery alert opens... */
export const LOW_BATTERY_PCT = 15
/** ...and it closes only at this level or above, so a reading hovering at 14/15 % does not flap. */
export const BATTERY_OK_PCT = 25
/** A sensor with no motion this long while another sensor of its home still sees some is suspect. */
export const SENSOR_SILENT_AFTER_MS = 3 * DAY_MS
/** "Up" means any activity after this local time on the day of the usual wake-up (night trips do not count). */
export const MORNING_STARTS_LOCAL_MS = 4 * 3_600_000

export interface TypeRule {
  /** The rung an alert of this type notifies first. */
  firstRung: Rung
  /** The highest rung it may climb to. */
  topRung: Rung
  /** New motion in the home ends it (the resident is evidently up and about). */
  endsOnActivity: boolean
  /** A maintenance matter: may wait for the end of the home's quiet hours. */
  maintenance: boolean
}

// Maintenance alerts go to the grid worker and stay there: they are not a reason to call family or the
// township centre (issue 4: "not a panic call to family").
export const TYPE_RULES: Record<AlertType, TypeRule> = {
  inactivity: { firstRung: 0, topRung: 3, endsOnActivity: true, maintenance: false },
  not_up: { firstRung: 0, topRung: 3, endsOnActivity: true, maintenance: false },
  home_offline: { firstRung: 2, topRung: 2, endsOnActivity: false, maintenance: true },
  low_battery: { firstRung: 2, topRung: 2, endsOnActivity: false, maintenance: true },
  sensor_silent: { firstRung: 2, topRung: 2, endsOnActivity: false, maintenance: true }
}

/** Milliseconds since local midnight in the village. */
export function localTimeOfDay (t: number): number {
  return (((t + VILLAGE_UTC_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS
}

export function localDayStart (t: number): number {
  return t - localTimeOfDay(t)
}

/** "HH:MM" in village time. */
export function formatClock (t: number): string {
  const minutes = Math.floor(localTimeOfDay(t) / 60_000)
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`
}

export interface QuietHours {
  /** "HH:MM" village time; a window may wrap midnight (22:00-06:30). */
  start: string
  end: string
}

function clockMs (hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number)
  return ((h ?? 0) * 60 + (m ?? 0)) * 60_000
}

/** The end of the quiet window containing `t`, or null when `t` is outside it. */
export function quietHoursEnd (t: number, quiet: QuietHours | null): number | null {
  if (quiet === null) return null
  const start = clockMs(quiet.start)
  const end = clockMs(quiet.end)
  if (start === end) return null
  const tod = localTimeOfDay(t)
  const day = localDayStart(t)
  if (start < end) return tod >= start && tod < end ? day + end : null
  if (tod >= start) return day + DAY_MS + end
  return tod < end ? day + end : null
}

/**
 * Two thresholds (issue 4, docs/evaluation.md): the TV check-in asks the resident once the stillness
 * reaches this fraction of the inactivity threshold; family is held back until the full threshold, when
 * the TV asks once more and family follows one TV timeout later; while that early check-in is unanswered
 * only sustained activity ends it. 1 = one threshold (TV at the threshold, family one TV timeout later).
 * The default stays 1: measured, 0.8 calls family ~20 min sooner by day but keeps family false alarms
 * under target only if residents answer the TV >= ~85 % of the time, which is not yet measured in the
 * field. Per home it can be set in the alert settings' ladder (checkInFraction).
 */
export const CHECK_IN_FRACTION = 1
/** The two-threshold setting evaluated (bench/eval --checkin-fraction). */
export const EVALUATED_CHECK_IN_FRACTION = 0.8
/** An unanswered early check-in ends on activity only if someone is moving about: a counted event with... */
export const SUSTAINED_MIN_SPAN_MS = 4 * 60_000
/** ...another counted event at least SUSTAINED_MIN_SPAN_MS and at most this long before it. */
export const SUSTAINED_WINDOW_MS = 15 * 60_000
/** Detail of the ladder event that records the early check-in and of the one that records the re-ask. */
export const EARLY_CHECK_IN_DETAIL = 'early check-in'
export const REASK_DETAIL = 'check-in asked again at the full threshold'

/**
 * Whether counted activity at `at` is sustained: some earlier counted activity (any order) lies between
 * SUSTAINED_WINDOW_MS and SUSTAINED_MIN_SPAN_MS before it. A burst of a few events within 3 min (a cat,
 * sunlight through leaves) is not; a person moving about for 4 min or more is.
 */
export function isSustained (recent: readonly number[], at: number): boolean {
  return recent.some((t) => t <= at - SUSTAINED_MIN_SPAN_MS && t >= at - SUSTAINED_WINDOW_MS)
}

/** Events up to this late (cluster mode: one device's messages through several workers) are judged exactly. */
const SUSTAINED_LATE_MS = SUSTAINED_WINDOW_MS

/**
 * Add counted activity at `at` to a home's `recent` (sorted, changed in place) and keep only what a later
 * isSustained can need, for events at most SUSTAINED_LATE_MS older than the newest: nothing older than
 * the newest minus (WINDOW + LATE), and of three entries that span at most the query interval
 * (WINDOW - MIN_SPAN, 11 min) not the middle one: any interval of that length holding the middle one
 * holds one of the others (or starts after the first, which then was never needed). So a home holds a
 * handful of entries however often its sensors fire (the whole window was kept and filtered on every
 * event: 32 % of the gateway's CPU at 90 edges/s per home in `npm run bench -- ingest`).
 */
export function rememberActivity (recent: number[], at: number): void {
  let i = recent.length
  while (i > 0 && (recent[i - 1] as number) > at) i--
  recent.splice(i, 0, at)
  const oldest = (recent[recent.length - 1] as number) - SUSTAINED_WINDOW_MS - SUSTAINED_LATE_MS
  let drop = 0
  while (drop < recent.length && (recent[drop] as number) < oldest) drop++
  if (drop > 0) recent.splice(0, drop)
  const span = SUSTAINED_WINDOW_MS - SUSTAINED_MIN_SPAN_MS
  for (let j = 1; j < recent.length - 1;) {
    if ((recent[j + 1] as number) - (recent[j - 1] as number) <= span) recent.splice(j, 1)
    else j++
  }
}

/** How long into a stillness the TV check-in is due, for an inactivity threshold of `thresholdMs`. */
export function checkInDelayMs (thresholdMs: number, fraction: number): number {
  return Math.round(Math.min(1, Math.max(0, fraction)) * thresholdMs)
}

/**
 * When an inactivity alert is due: the threshold counts from the later of the last activity and the
 * return from away mode (a week away is not a week of inactivity).
 */
export function inactivityDeadline (lastActivity: number, awayUntil: number | null, threshold: (since: number) => number): { since: number, at: number } {
  const since = awayUntil !== null && awayUntil > lastActivity ? awayUntil : lastActivity
  return { since, at: since + threshold(since) }
}

export function isAway (awayUntil: number | null, at: number): boolean {
  return awayUntil !== null && at < awayUntil
}

/**
 * The next not_up check after `now`: today's usual wake-up time if it is still ahead and the resident is
 * not up yet, else tomorrow's. Null when the provider does not know this home's habits.
 */
export function nextNotUpCheck (homeId: string, now: number, lastActivity: number, thresholds: ThresholdProvider): number | null {
  const today = thresholds.usualWakeBy(homeId, now)
  if (today !== null && today > now && !isUpBy(lastActivity, today)) return today
  return thresholds.usualWakeBy(homeId, localDayStart(now) + DAY_MS)
}

/** Whether the resident was up on the morning of `wakeBy`. */
export function isUpBy (lastActivity: number, wakeBy: number): boolean {
  return lastActivity >= localDayStart(wakeBy) + MORNING_STARTS_LOCAL_MS
}

/** Sensors silent for SENSOR_SILENT_AFTER_MS while at least one other sensor of the home saw motion since. */
export function silentSensors (lastMotionByDevice: ReadonlyMap<string, number>, now: number): string[] {
  const cutoff = now - SENSOR_SILENT_AFTER_MS
  const values = [...lastMotionByDevice.values()]
  if (!values.some((t) => t >= cutoff)) return []
  return [...lastMotionByDevice].filter(([, t]) => t < cutoff).map(([id]) => id).sort()
}
