// The detectors compared on the same data: Anju's learned model and two baselines. Each is refreshed
// once per local day from the history before it, as the gateway's nightly refresh does.
import { activityIndices } from '../../src/activity-model/stats.ts'
import { confirmedRooms } from '../../src/activity-model/rooms.ts'
import { learnModel, thresholdMs, usualWakeBy, type HomeModel, type LearnOptions } from '../../src/activity-model/index.ts'
import { DAY, HOUR, localDay, localMidnight, minuteOfDay } from '../../src/activity-model/time.ts'
import { lowerBound } from '../../src/activity-model/stats.ts'

export const TZ = 480

/** What a home's sensors reported: event times (ascending) and the room of each. */
export interface Sensed { events: readonly number[], rooms: ReadonlyArray<string | null> }

/** What a detector counts as the person's activity, and the room of each. */
export interface Activity { times: number[], rooms: Array<string | null> }

/** What a detector decides for the stillness starting on one local day. */
export interface DayRule {
  /** `room`: where the counted motion that started the stillness was (null: unknown, e.g. after a resolution). */
  thresholdMs (since: number, room: string | null): number
  /** not_up: alert at this time when there is no activity since MORNING_STARTS on that day; null = rule off. */
  wakeBy (day: number): number | null
}

export interface Detector {
  name: string
  /** The events the detector treats as the person's activity (motion resets its timer and auto-resolves). */
  activity (sensed: Sensed): Activity
  /** The rule for local day `day`, learned from the events before that day's midnight. */
  rule (sensed: Sensed, day: number): DayRule
}

const everyEvent = (sensed: Sensed): Activity => ({ times: [...sensed.events], rooms: [...sensed.rooms] })

/** Fixed thresholds: 4 h for stillness starting 06:00-20:00, 12 h otherwise. */
export const fixedBaseline: Detector = {
  name: 'fixed',
  activity: everyEvent,
  rule: () => ({
    thresholdMs: (since) => { const m = minuteOfDay(since, TZ); return (m >= 360 && m < 1200 ? 4 : 12) * HOUR },
    wakeBy: () => null
  })
}

function learned (name: string, options: Partial<LearnOptions>, notUp: boolean): Detector {
  const isolationMs = options.isolationMs ?? 10 * 60_000
  return {
    name,
    activity (sensed) {
      const counted = activityIndices(sensed.events, isolationMs)
      const times = counted.map((i) => sensed.events[i] as number)
      return { times, rooms: confirmedRooms(times, counted.map((i) => sensed.rooms[i] ?? null)) }
    },
    rule ({ events, rooms }, day) {
      const until = localMidnight(day, TZ)
      const from = lowerBound(events, until - 43 * DAY)
      const to = lowerBound(events, until)
      // historyDays counts from the first event ever; the slice keeps the window, so pass the start too.
      const withFirst = from > 0 && events[0] !== undefined && (events[0] as number) < until
      const model: HomeModel = learnModel({
        activityTimes: withFirst ? [events[0] as number, ...events.slice(from, to)] : events.slice(from, to),
        activityRooms: withFirst ? [rooms[0] ?? null, ...rooms.slice(from, to)] : rooms.slice(from, to),
        until,
        tzOffsetMinutes: TZ
      }, options)
      return {
        thresholdMs: (since, room) => thresholdMs(model, since, room),
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
  quantile: 0.97, bufferFactor: 1, bufferMin: 60, neighbourSlots: 0, isolationMs: 0, weekendSplit: false, learnWake: false, minThresholdMin: 30, learnRooms: false
}, false)
