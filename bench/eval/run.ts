// One evaluation run: every home through every detector, summed into the figures issue 4 asks for.
import { generateHomes, type EvalConfig } from './generate.ts'
import { anju, cuddihy, fixedBaseline, type DayRule, type Detector } from './detectors.ts'
import { anjuDoor } from './door-detector.ts'
import { CHECK_IN_FRACTION, EVALUATED_CHECK_IN_FRACTION } from '../../src/escalation/rules.ts'
import { engineDesign, MISS_AFTER, ONE_THRESHOLD, replay, TV_ANSWER, type HomeResult, type LadderDesign } from './replay.ts'
import type { HomeData } from './generate.ts'

export interface DetectorSummary {
  /** Minutes from the emergency to the family notification (rung 1), by emergencies at day / at night. */
  meanDelayDayMin: number
  meanDelayNightMin: number
  /** Over all emergencies, a missed one counting as 24 h. */
  p95DelayMin: number
  /** The same to the first alert (the TV check-in, rung 0). */
  meanDelayTvDayMin: number
  meanDelayTvNightMin: number
  falseAlarmsPerHomeDayTv: number
  falseAlarmsPerHomeDayFamily: number
  falseAlarmsPerHomeDayGrid: number
  /** Family false alarms per home-day in the homes' first 28 days (cold start, blending) and after. */
  falseAlarmsPerHomeDayFamilyFirst28: number
  falseAlarmsPerHomeDayFamilyAfter28: number
  missed: number
  emergencies: number
  emergenciesNight: number
  homeDays: number
}

export interface EvalResult {
  config: { homes: number, days: number, seed: number, start: string, checkInFraction?: number, checkInFractionAnjuCheckin?: number, tvAnswer?: number, doorFraction?: number, doorLoss?: number, doorExtraPerDay?: number }
  detectors: Record<string, DetectorSummary>
}

const mean = (xs: number[]): number => xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length
const p95 = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)] ?? NaN }
const round = (x: number, digits: number): number => Number.isFinite(x) ? Number(x.toFixed(digits)) : x

function summarise (results: HomeResult[]): DetectorSummary {
  const delay = (r: HomeResult, key: 'delayTvMin' | 'delayFamilyMin'): number => r[key] ?? MISS_AFTER / 60_000
  const day = results.filter((r) => !r.night)
  const night = results.filter((r) => r.night)
  const homeDays = results.reduce((a, r) => a + r.homeDays, 0)
  const early = results.reduce((a, r) => a + Math.min(28, r.homeDays), 0)
  const sum = (key: 'falseTv' | 'falseFamily' | 'falseGrid' | 'falseFamilyEarly'): number => results.reduce((a, r) => a + r[key], 0)
  return {
    meanDelayDayMin: round(mean(day.map((r) => delay(r, 'delayFamilyMin'))), 1),
    meanDelayNightMin: round(mean(night.map((r) => delay(r, 'delayFamilyMin'))), 1),
    p95DelayMin: round(p95(results.map((r) => delay(r, 'delayFamilyMin'))), 1),
    meanDelayTvDayMin: round(mean(day.map((r) => delay(r, 'delayTvMin'))), 1),
    meanDelayTvNightMin: round(mean(night.map((r) => delay(r, 'delayTvMin'))), 1),
    falseAlarmsPerHomeDayTv: round(sum('falseTv') / homeDays, 4),
    falseAlarmsPerHomeDayFamily: round(sum('falseFamily') / homeDays, 4),
    falseAlarmsPerHomeDayGrid: round(sum('falseGrid') / homeDays, 4),
    falseAlarmsPerHomeDayFamilyFirst28: round(sum('falseFamilyEarly') / early, 4),
    falseAlarmsPerHomeDayFamilyAfter28: round((sum('falseFamily') - sum('falseFamilyEarly')) / Math.max(1e-9, homeDays - early), 4),
    missed: results.filter((r) => r.delayFamilyMin === null).length,
    emergencies: results.length,
    emergenciesNight: night.length,
    homeDays: round(homeDays, 1)
  }
}

/** One row of the comparison: a detector walked up a ladder design, reported under `name`. */
export interface Entry { name: string, detector: Detector, design: LadderDesign }

export const entry = (detector: Detector, design: LadderDesign = ONE_THRESHOLD, name = detector.name): Entry => ({ name, detector, design })

/**
 * Anju as the engine runs it by default (rules.ts CHECK_IN_FRACTION), Anju with the two-threshold
 * check-in (`anju-checkin`, the per-home option, at `checkInFraction`), and the two baselines with one
 * threshold (TV at their threshold, family one TV timeout later). `tvAnswer` applies to every row.
 */
export const DETECTORS = (checkInFraction = EVALUATED_CHECK_IN_FRACTION, tvAnswer = TV_ANSWER, door = false): Entry[] => {
  const a = anju()
  const one: LadderDesign = { ...ONE_THRESHOLD, tvAnswer }
  // With door sensors (the experiment, door-detector.ts): `anju-door` on the engine's default ladder.
  const doorRow = door ? [entry(anjuDoor(), engineDesign(CHECK_IN_FRACTION, tvAnswer), 'anju-door')] : []
  return [entry(a, engineDesign(CHECK_IN_FRACTION, tvAnswer), 'anju'), ...doorRow, entry(a, engineDesign(checkInFraction, tvAnswer), 'anju-checkin'), entry(fixedBaseline, one), entry(cuddihy, one)]
}

/** One home's rules and activity learned once per detector, shared by every ladder design using it. */
function memo (detector: Detector, home: HomeData): Detector {
  const rules = new Map<number, DayRule>()
  const activity = detector.activity(home.events, home.doors)
  return {
    name: detector.name,
    activity: () => activity,
    rule (events, day) {
      let rule = rules.get(day)
      if (rule === undefined) { rule = detector.rule(events, day, home.doors); rules.set(day, rule) }
      return rule
    }
  }
}

export function runEval (config: EvalConfig, entries: Array<Entry | Detector> = DETECTORS(), progress?: (done: number, total: number) => void): EvalResult {
  const rows = entries.map((e) => 'detector' in e ? e : entry(e))
  const perDetector = new Map<string, HomeResult[]>(rows.map((e) => [e.name, []]))
  const homes = generateHomes(config)
  homes.forEach((make, i) => {
    const home = make()
    const memos = new Map<Detector, Detector>()
    for (const e of rows) {
      let d = memos.get(e.detector)
      if (d === undefined) { d = memo(e.detector, home); memos.set(e.detector, d) }
      perDetector.get(e.name)?.push(replay(home, d, e.design))
    }
    progress?.(i + 1, homes.length)
  })
  return {
    config: { homes: config.homes, days: config.days, seed: config.seed, start: new Date(config.start).toISOString(), ...(config.doorFraction ?? 0) > 0 ? { doorFraction: config.doorFraction } : {} },
    detectors: Object.fromEntries([...perDetector].map(([name, rs]) => [name, summarise(rs)]))
  }
}
