// `npx tsx bench/eval/tune.ts [--homes 50 --seed 1]`: the grid the learner's defaults were chosen from.
// Tuning uses seed 1 only; the reported figures (main.ts) use seed 2, homes the tuning never saw.
import { parseArgs } from 'node:util'
import type { LearnOptions } from '../../src/activity-model/index.ts'
import { anju } from './detectors.ts'
import { runEval } from './run.ts'

const { values } = parseArgs({ options: { homes: { type: 'string', default: '50' }, days: { type: 'string', default: '60' }, seed: { type: 'string', default: '1' } } })
const config = { homes: Number(values.homes), days: Number(values.days), seed: Number(values.seed), start: Date.UTC(2026, 2, 1, 16) }
const grid: Array<Partial<LearnOptions>> = []
for (const quantile of [0.95, 0.99, 1]) {
  for (const bufferFactor of [1.1, 1.25]) {
    for (const bufferMin of [20, 40]) grid.push({ quantile, bufferFactor, bufferMin })
  }
}
for (const options of grid) {
  const s = runEval(config, [anju(options)]).detectors.anju
  if (s === undefined) continue
  console.log(JSON.stringify(options), `day ${s.meanDelayDayMin} night ${s.meanDelayNightMin} p95 ${s.p95DelayMin} | tv ${s.falseAlarmsPerHomeDayTv} family ${s.falseAlarmsPerHomeDayFamily} (after 28: ${s.falseAlarmsPerHomeDayFamilyAfter28}) grid ${s.falseAlarmsPerHomeDayGrid} missed ${s.missed}`)
}
