// `npx tsx bench/eval/rooms-experiment.ts [--seed 2 --homes 200 --room-min-samples 30]`: the per-room
// threshold experiment of docs/evaluation.md. Anju with and without per-room thresholds, and without
// them at a smaller buffer (the same false-alarm budget spent without rooms), on the same homes.
import { parseArgs } from 'node:util'
import { entry, runEval } from './run.ts'
import { anju } from './detectors.ts'
import { engineDesign } from './replay.ts'

const { values } = parseArgs({ options: { seed: { type: 'string', default: '2' }, homes: { type: 'string', default: '200' }, 'room-min-samples': { type: 'string', default: '30' } } })
const config = { homes: Number(values.homes), days: 60, seed: Number(values.seed), start: Date.UTC(2026, 2, 1, 16) }
const rows = [
  entry(anju({ roomMinSamples: Number(values['room-min-samples']) }), engineDesign(1), 'rooms'),
  entry(anju({ learnRooms: false }), engineDesign(1), 'no-rooms'),
  entry(anju({ learnRooms: false, bufferMin: 35 }), engineDesign(1), 'no-rooms, buffer 35 min')
]
for (const [name, s] of Object.entries(runEval(config, rows).detectors)) {
  console.log(name.padEnd(24), `day ${s.meanDelayDayMin} night ${s.meanDelayNightMin} p95 ${s.p95DelayMin} min | per home-day: tv ${s.falseAlarmsPerHomeDayTv} family ${s.falseAlarmsPerHomeDayFamily} grid ${s.falseAlarmsPerHomeDayGrid} | missed ${s.missed}`)
}
