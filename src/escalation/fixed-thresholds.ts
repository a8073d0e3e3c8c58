// Fixed thresholds: what the gateway uses until a home has enough history for the learned activity model
// (and the baseline the evaluation compares against). Day and night as in the cold-start rule of issue 4.
import type { ThresholdProvider } from '../alerts.ts'
import { localTimeOfDay } from './rules.ts'

export interface FixedThresholdOptions {
  dayMs: number
  nightMs: number
  /** Village local time the day begins and ends, in ms after midnight. */
  dayStartsMs: number
  dayEndsMs: number
}

export const FIXED_THRESHOLD_DEFAULTS: FixedThresholdOptions = {
  dayMs: 3 * 3_600_000,
  nightMs: 10 * 3_600_000,
  dayStartsMs: 7 * 3_600_000,
  dayEndsMs: 21 * 3_600_000
}

export class FixedThresholds implements ThresholdProvider {
  private readonly options: FixedThresholdOptions

  constructor (options: Partial<FixedThresholdOptions> = {}) {
    this.options = { ...FIXED_THRESHOLD_DEFAULTS, ...options }
  }

  /** Stillness that starts by day may last dayMs; stillness that starts in the evening covers a night's sleep. */
  inactivityThresholdMs (_homeId: string, since: number): number {
    const tod = localTimeOfDay(since)
    return tod >= this.options.dayStartsMs && tod < this.options.dayEndsMs ? this.options.dayMs : this.options.nightMs
  }

  /** Unknown without history: not_up needs the learned model. */
  usualWakeBy (): number | null {
    return null
  }
}
