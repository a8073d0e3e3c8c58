// `anju-door` (the door experiment, docs/evaluation.md "Door sensor (experiment)"): Anju's learned model
// with a front-door contact sensor. The door says *when* the house was left, not who opened it nor which
// way, so the detector reads it together with motion:
// - A door opening while the home is "in" is a leave: the home is "out" until the next counted motion or
//   the next door opening. A door opening while "out" is the return: "in" again, the stillness timer
//   restarting at the door. Any counted motion means "in" (someone is home), whatever the door said.
// - "In" uses a threshold learned only from stillnesses at home; "out" a threshold learned only from
//   stillnesses that start at a leave, never shorter than the in-home one at that time. Both with the
//   activity model's own statistics and defaults (p99 x 1.25 + 40 min; seed 1 grid: a smaller buffer
//   buys day delay only with more family false alarms, as without the door).
// Fail-safe reading: a lost opening on leaving makes the outing look like stillness at home (the in-home
// threshold: a false alarm, as without the door); a lost opening on return leaves the home "out" only
// until the person's first counted motion inside; only a person who comes in and collapses before any
// counted motion, with the return opening lost (or a lone opening at home, e.g. a neighbour, followed by
// a collapse before any motion), is timed on the long "out" threshold.
import { filterActivity, LEARN_DEFAULTS, learnModel, thresholdMs, usualWakeBy, type LearnOptions } from '../../src/activity-model/index.ts'
import { localDay, localMidnight } from '../../src/activity-model/time.ts'
import { lowerBound } from '../../src/activity-model/stats.ts'
import { anju, historyBefore, TZ, type Detector } from './detectors.ts'

export interface DoorStates {
  /** Counted motion and door openings, in time order: what resets the stillness timer. */
  merged: number[]
  /** The openings read as leaves (the home "out" after them until the next entry of `merged`). */
  leaves: ReadonlySet<number>
}

/** Reads door openings against counted motion (see the header). Causal: each reading needs only the past. */
export function doorStates (activity: readonly number[], doors: readonly number[]): DoorStates {
  const isDoor = new Set(doors)
  const merged = [...activity, ...doors].sort((a, b) => a - b)
  const leaves = new Set<number>()
  let out = false
  for (const t of merged) {
    if (!isDoor.has(t)) out = false
    else if (out) out = false
    else { out = true; leaves.add(t) }
  }
  return { merged, leaves }
}

/** Whether the home reads "out" at `t` (the last entry at or before `t` is a leave). */
export function isOut (states: DoorStates, t: number): boolean {
  const i = lowerBound(states.merged, t + 1) - 1
  return i >= 0 && states.leaves.has(states.merged[i] as number)
}

/**
 * Homes without door openings get exactly `anju`. The detector's name is `anju` on purpose: the ladder's
 * random draws (TV answers, family acknowledgements) are named by it, so both rows see the same ones.
 */
/**
 * The "out" threshold pools the whole (routine) day: each day's sample is its longest stillness after a
 * leave, wherever it starts. An outing's length hardly depends on the half hour it starts in, and per
 * slot most slots see too few leaves for a quantile (tuning seed 1, 200 homes: family false alarms
 * 0.037 per slot -> 0.029 pooled, day delay +5 min).
 */
export const OUT_OPTIONS: Partial<LearnOptions> = { neighbourSlots: 47 }

export function anjuDoor (options: Partial<LearnOptions> = {}, outOptions: Partial<LearnOptions> = OUT_OPTIONS): Detector {
  const pir = anju(options)
  const isolationMs = options.isolationMs ?? LEARN_DEFAULTS.isolationMs
  const cache = new WeakMap<readonly number[], DoorStates>()
  const statesOf = (events: readonly number[], doors: readonly number[]): DoorStates => {
    let s = cache.get(doors)
    if (s === undefined) { s = doorStates(filterActivity(events, isolationMs), doors); cache.set(doors, s) }
    return s
  }
  return {
    name: pir.name,
    activity: (events, doors) => doors === undefined || doors.length === 0 ? pir.activity(events) : statesOf(events, doors).merged,
    rule (events, day, doors) {
      if (doors === undefined || doors.length === 0) return pir.rule(events, day)
      const s = statesOf(events, doors)
      const until = localMidnight(day, TZ)
      // The noise filter already ran on the PIR events alone (a door opening is no pet).
      const history = { activityTimes: historyBefore(s.merged, until), until, tzOffsetMinutes: TZ }
      const home = learnModel(history, { ...options, isolationMs: 0, learnFrom: (t) => !s.leaves.has(t) })
      const away = learnModel(history, { ...options, ...outOptions, isolationMs: 0, learnWake: false, learnFrom: (t) => s.leaves.has(t) })
      return {
        thresholdMs: (since) => {
          const inHome = thresholdMs(home, since)
          return isOut(s, since) ? Math.max(inHome, thresholdMs(away, since)) : inHome
        },
        wakeBy: (d) => localDay(until, TZ) <= d ? usualWakeBy(home, localMidnight(d, TZ)) : null
      }
    }
  }
}
