// The detectors compared on the same data: Anju's learned model and two baselines. Each is refreshed
// once per local day from the history before it, as the gateway's nightly refresh does.
import { filterActivity, learnModel, thresholdMs, usualWakeBy, type HomeModel, type LearnOptions } from '../../src/activity-model/index.ts'
import { DAY, HOUR, localDay, localMidnight, minuteOfDay } from '../../src/activity-model/time.ts'
import { lowerBound } from '../../src/activity-model/stats.ts'

export const TZ = 480

/** What a detector decides for the stillness starting on one local day. */
export interface DayRule {
  thresholdMs (since: number): number
  /** not_up: alert at this time when there is no activity since MORNING_STARTS on that day; null = rule off. */
  wakeBy (day: number): number | null
}

export interface Detector {
  name: string
  /**
   * The events the detector treats as the person's activity (motion resets its timer and auto-resolves).
   * `doors`: the home's door openings (the door experiment, door-detector.ts); PIR-only detectors ignore them.
   */
  activity (events: readonly number[], doors?: readonly number[]): number[]
  /** The rule for local day `day`, learned from `events` (and `doors`) before that day's midnight. */
  rule (events: readonly number[], day: number, doors?: readonly number[]): DayRule
}

/** Fixed thresholds: 4 h for stillness starting 06:00-20:00, 12 h otherwise. */
export const fixedBaseline: Detector = {
  name: 'fixed',
  activity: (events) => [...events],
  rule: () => ({
    thresholdMs: (since) => { const m = minuteOfDay(since, TZ); return (m >= 360 && m < 1200 ? 4 : 12) * HOUR },
    wakeBy: () => null
  })
}

/**
 * What a nightly refresh at `until` learns from: the learning window's events (and a little more), plus
 * the first event ever, since historyDays (the cold-start blend) counts from it.
 */
export function historyBefore (times: readonly number[], until: number): number[] {
  const history = times.slice(lowerBound(times, until - 43 * DAY), lowerBound(times, until))
  const first = times[0]
  return first !== undefined && first < until && history[0] !== first ? [first, ...history] : history
}

function learned (name: string, options: Partial<LearnOptions>, notUp: boolean): Detector {
  const isolationMs = options.isolationMs ?? 10 * 60_000
  return {
    name,
    activity: (events) => filterActivity(events, isolationMs),
    rule (events, day) {
      const until = localMidnight(day, TZ)
      const model: HomeModel = learnModel({ activityTimes: historyBefore(events, until), until, tzOffsetMinutes: TZ }, options)
      return {
        thresholdMs: (since) => thresholdMs(model, since),
        wakeBy: (d) => notUp && localDay(until, TZ) <= d ? usualWakeBy(model, localMidnight(d, TZ)) : null
      }
    }
  }
}

export const anju = (options: Partial<LearnOptions> = {}): Detector => learned('anju', options, true)

/**
 * Cuddihy et al. 2007 style: per half-hour slot the 97th percentile of the day's longest stillness
 * starting there, plus a 1 h buffer; every event counts (no noise filter), no smoothing across slots,
 * no weekday/weekend split, no not_up. Same cold start as Anju, so the difference is the learned part.
 */
export const cuddihy: Detector = learned('cuddihy', {
  quantile: 0.97, bufferFactor: 1, bufferMin: 60, neighbourSlots: 0, isolationMs: 0, weekendSplit: false, learnWake: false, minThresholdMin: 30
}, false)
