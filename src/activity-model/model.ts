// A home's learned activity model as plain JSON (stored per home, refreshed nightly), and the lookups
// the alert engine makes on it. Pure: time and the village's UTC offset are passed in.
import type { ThresholdProvider } from '../alerts.ts'
import { dayTypeAt, dayTypeOf, localDay, localMidnight, minuteOfDay, MINUTE, type DayType } from './time.ts'

export interface HomeModel {
  version: 1
  tzOffsetMinutes: number
  slotMinutes: number
  /** History up to (excluding) this instant was learned from. */
  until: number
  /** Days of history the model saw (capped at the learning window). */
  historyDays: number
  /** 0 = fixed cold-start thresholds only, 1 = learned only. */
  learnedWeight: number
  /**
   * Minutes of stillness allowed when it starts in each local clock slot (index 0 = 00:00-00:30), by the
   * day type of the routine day (see time.ts). Already blended and buffered.
   */
  thresholdsMin: Record<DayType, number[]>
  /** Local minutes after midnight by which this person is normally up; null during cold start. */
  wakeByMin: Record<DayType, number | null>
}

/** How long this home may be still, starting at `since`, before an inactivity alert. */
export function thresholdMs (model: HomeModel, since: number): number {
  const slots = model.thresholdsMin[dayTypeAt(since, model.tzOffsetMinutes)]
  const slot = Math.floor(minuteOfDay(since, model.tzOffsetMinutes) / model.slotMinutes) % slots.length
  return (slots[slot] as number) * MINUTE
}

/** The latest normal time of the first activity on the local day containing `dayOf`; null when unknown. */
export function usualWakeBy (model: HomeModel, dayOf: number): number | null {
  const day = localDay(dayOf, model.tzOffsetMinutes)
  const minutes = model.wakeByMin[dayTypeOf(day)]
  return minutes === null ? null : localMidnight(day, model.tzOffsetMinutes) + minutes * MINUTE
}

/** Parse a stored model, refusing anything that is not one (a corrupt row must not become a threshold). */
export function parseHomeModel (json: string): HomeModel {
  const value = JSON.parse(json) as HomeModel
  const slotsOk = (xs: unknown): boolean => Array.isArray(xs) && xs.length > 0 && xs.every((x) => typeof x === 'number' && x > 0 && Number.isFinite(x))
  const wakeOk = (x: unknown): boolean => x === null || (typeof x === 'number' && x >= 0 && x < 24 * 60)
  if (value?.version !== 1 || typeof value.tzOffsetMinutes !== 'number' || !(value.slotMinutes > 0) ||
    !slotsOk(value.thresholdsMin?.weekday) || !slotsOk(value.thresholdsMin?.weekend) ||
    value.thresholdsMin.weekday.length * value.slotMinutes !== 24 * 60 ||
    value.thresholdsMin.weekend.length !== value.thresholdsMin.weekday.length ||
    !wakeOk(value.wakeByMin?.weekday) || !wakeOk(value.wakeByMin?.weekend)) {
    throw new Error('not an activity model (version 1)')
  }
  return value
}

/**
 * The ThresholdProvider over each home's model. A home without a model yet gets `fallback` (the
 * cold-start model: fixed thresholds, no wake-by). The map is owned by the caller, who replaces a
 * home's entry after the nightly refresh.
 */
export class ModelThresholds implements ThresholdProvider {
  constructor (
    private readonly models: ReadonlyMap<string, HomeModel>,
    private readonly fallback: HomeModel
  ) {}

  private model (homeId: string): HomeModel {
    return this.models.get(homeId) ?? this.fallback
  }

  inactivityThresholdMs (homeId: string, since: number): number {
    return thresholdMs(this.model(homeId), since)
  }

  usualWakeBy (homeId: string, dayOf: number): number | null {
    return usualWakeBy(this.model(homeId), dayOf)
  }
}
