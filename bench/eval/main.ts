// `npx tsx bench/eval/main.ts [--homes 200 --days 60 --seed 2]` (npm run eval): detection delay and
// false alarms per rung of Anju's activity model against a fixed-threshold and a Cuddihy-style
// baseline on the same simulated homes. Writes bench/results/eval.json. See README.md here.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { DETECTORS, runEval } from './run.ts'
import { TV_ANSWER } from './replay.ts'
import { CHECK_IN_FRACTION, EVALUATED_CHECK_IN_FRACTION } from '../../src/escalation/rules.ts'

const { values } = parseArgs({
  options: {
    homes: { type: 'string', default: '200' },
    days: { type: 'string', default: '60' },
    seed: { type: 'string', default: '2' },
    // The anju-checkin row: TV check-in at this fraction of the threshold (src/escalation/rules.ts).
    'checkin-fraction': { type: 'string', default: String(EVALUATED_CHECK_IN_FRACTION) },
    // Assumption: a fine resident, awake and at home, answers the TV check-in with this probability.
    'tv-answer': { type: 'string', default: String(TV_ANSWER) },
    // Experiment: this fraction of homes has a front-door contact sensor; adds the anju-door row (door.ts).
    door: { type: 'string', default: '0' },
    // Sensitivity of the door experiment: loss rate of door openings (default: the home's PIR loss rate,
    // 1-5 %), and openings per day while the person stays home (default door.ts DOOR_EXTRA_PER_DAY).
    'door-loss': { type: 'string' },
    'door-extra': { type: 'string' },
    out: { type: 'string', default: join(dirname(fileURLToPath(import.meta.url)), '..', 'results', 'eval.json') }
  }
})
const homes = Number(values.homes)
const days = Number(values.days)
const seed = Number(values.seed)
const checkInFraction = Number(values['checkin-fraction'])
const tvAnswer = Number(values['tv-answer'])
const doorFraction = Number(values.door)
const doorLoss = values['door-loss'] === undefined ? undefined : Number(values['door-loss'])
const doorExtraPerDay = values['door-extra'] === undefined ? undefined : Number(values['door-extra'])
if (!(doorFraction >= 0 && doorFraction <= 1) || (doorLoss !== undefined && !(doorLoss >= 0 && doorLoss <= 1)) || (doorExtraPerDay !== undefined && !(doorExtraPerDay >= 0)) || !Number.isInteger(homes) || homes < 1 || !Number.isInteger(days) || days < 2 || !Number.isInteger(seed) ||
  !(checkInFraction > 0 && checkInFraction <= 1) || !(tvAnswer >= 0 && tvAnswer <= 1)) {
  console.error('usage: main.ts [--homes N>=1] [--days N>=2] [--seed INT] [--checkin-fraction (0,1]] [--tv-answer [0,1]] [--door [0,1] [--door-loss [0,1]] [--door-extra N]] [--out FILE]')
  process.exit(2)
}

// 2026-03-02 00:00 in the village (UTC+8), a Monday.
const start = Date.UTC(2026, 2, 1, 16)
const began = performance.now()
const result = runEval({ homes, days, seed, start, doorFraction, doorLoss, doorExtraPerDay }, DETECTORS(checkInFraction, tvAnswer, doorFraction > 0), (done, total) => {
  if (done % 10 === 0 || done === total) process.stderr.write(`\rhomes ${done}/${total}  ${((performance.now() - began) / 1000).toFixed(0)} s`)
})
process.stderr.write('\n')
result.config = { ...result.config, checkInFraction: CHECK_IN_FRACTION, checkInFractionAnjuCheckin: checkInFraction, tvAnswer, ...doorFraction > 0 ? { doorLoss, doorExtraPerDay } : {} }

const h = (m: number): string => Number.isFinite(m) ? `${Math.floor(Math.round(m) / 60)} h ${String(Math.round(m) % 60).padStart(2, '0')} min` : '-'
const rows = Object.entries(result.detectors).map(([name, s]) => ({
  detector: name,
  'delay day (family)': h(s.meanDelayDayMin),
  'delay night (family)': h(s.meanDelayNightMin),
  'p95 delay': h(s.p95DelayMin),
  'delay day (TV)': h(s.meanDelayTvDayMin),
  'delay night (TV)': h(s.meanDelayTvNightMin),
  'FA/home-day TV': s.falseAlarmsPerHomeDayTv,
  'FA/home-day family': s.falseAlarmsPerHomeDayFamily,
  'FA/home-day grid': s.falseAlarmsPerHomeDayGrid,
  'family FA after day 28': s.falseAlarmsPerHomeDayFamilyAfter28,
  missed: `${s.missed}/${s.emergencies}`
}))
console.log(`eval: ${homes} homes x ${days} days, seed ${seed}, anju: check-in at ${CHECK_IN_FRACTION} x threshold, anju-checkin: at ${checkInFraction} x, TV answered with p ${tvAnswer} when awake at home, ${doorFraction > 0 ? `door sensor in ${doorFraction * 100} % of homes, ` : ''}${result.detectors.anju?.homeDays ?? 0} home-days before the emergencies, ${result.detectors.anju?.emergenciesNight ?? 0} emergencies at night (22-06)`)
console.table(rows)
console.log('delays are to the family notification (family) and to the first TV check-in (TV); a miss counts 24 h')
console.log('targets: delay day <= 2 h, night <= 4 h; family <= 0.05, grid <= 0.02 false alarms per home-day; 0 missed')
mkdirSync(dirname(values.out), { recursive: true })
writeFileSync(values.out, JSON.stringify(result, null, 2) + '\n')
console.log(`wrote ${values.out}`)
