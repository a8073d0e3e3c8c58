// Scenario 6: telemetry write throughput. The measuring is bench/telemetry.ts's (embedded store; InfluxDB
// via Anju's store against raw line-protocol POSTs to the same influxd; the spool's replay rate): this
// runs it as a child process and files its bench/results/telemetry.json under "telemetry" in bench.json,
// so the figures have one source. --quick passes smaller sizes through the scripts' own env knobs.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { printMachine, recordScenario } from '../lib/results.ts'

const quick = process.argv.includes('--quick')
// BENCH_POINTS is read by both embedded-telemetry.ts and telemetry-influx.ts; BENCH_ROUNDS by the latter.
const env = quick ? { BENCH_POINTS: '40000', BENCH_ROUNDS: '1' } : {}
const script = fileURLToPath(new URL('../telemetry.ts', import.meta.url))
const resultFile = fileURLToPath(new URL('../results/telemetry.json', import.meta.url))

interface TelemetryResult {
  date: string
  influxPointsPerSec: number
  influxRawPointsPerSec: number
  embeddedPointsPerSec: number
  spoolReplayPointsPerSec: number
  influxOverRaw: number
  detail: { embedded: { points: number }, influx: { points: number, series: number, rounds: number, storeSpilledToSpool?: boolean, storeOverRawPerRound?: number[] } }
}

printMachine()
const started = Date.now()
// spawnSync kills nothing on our exit by itself, but it blocks until the child ends, and the child's own
// children (influxd) are stopped by telemetry-influx.ts; SIGINT reaches the whole foreground group.
const child = spawnSync(process.execPath, ['--import', 'tsx', script], { stdio: 'inherit', env: { ...process.env, ...env } })
if (child.status !== 0) {
  console.error(`bench/telemetry.ts failed (exit ${String(child.status ?? child.signal)})`)
  process.exit(1)
}
const r = JSON.parse(readFileSync(resultFile, 'utf8')) as TelemetryResult
// A stale file from an earlier run must not be recorded as this run's.
if (Date.parse(r.date) < started) {
  console.error('bench/results/telemetry.json was not rewritten by this run')
  process.exit(1)
}

const targets = { embeddedAtLeast50kPerSec: r.embeddedPointsPerSec >= 50_000, influxAtLeast0_8xRaw: r.influxOverRaw >= 0.8 }
console.table({
  'embedded points/s': { value: r.embeddedPointsPerSec, target: '>= 50,000', met: targets.embeddedAtLeast50kPerSec },
  'InfluxDB via Anju points/s': { value: r.influxPointsPerSec, target: '', met: '' },
  'InfluxDB raw POSTs points/s': { value: r.influxRawPointsPerSec, target: '', met: '' },
  'Anju / raw': { value: r.influxOverRaw, target: '>= 0.8', met: targets.influxAtLeast0_8xRaw },
  'spool replay points/s': { value: r.spoolReplayPointsPerSec, target: '', met: '' }
})

recordScenario('telemetry', {
  summary: `embedded ${r.embeddedPointsPerSec.toLocaleString('en')} points/s; InfluxDB via Anju ${r.influxPointsPerSec.toLocaleString('en')} vs raw ${r.influxRawPointsPerSec.toLocaleString('en')} points/s (${r.influxOverRaw}x, target 0.8x ${targets.influxAtLeast0_8xRaw ? 'met' : 'NOT met'}); spool replay ${r.spoolReplayPointsPerSec.toLocaleString('en')} points/s${quick ? ' (quick)' : ''}`,
  anju: {
    embeddedPointsPerSec: r.embeddedPointsPerSec,
    influxPointsPerSec: r.influxPointsPerSec,
    spoolReplayPointsPerSec: r.spoolReplayPointsPerSec
  },
  peers: { influxRawPointsPerSec: r.influxRawPointsPerSec },
  ratios: { influxOverRaw: r.influxOverRaw },
  targets,
  sizes: { embeddedPoints: r.detail.embedded.points, influxPoints: r.detail.influx.points, influxSeries: r.detail.influx.series, influxRounds: r.detail.influx.rounds },
  notes: [
    'figures from bench/telemetry.ts (bench/results/telemetry.json has the details); influxd, node and the load generator share the machine, so the InfluxDB ratio moves with load',
    ...(r.detail.influx.storeSpilledToSpool === true ? ['the store spilled the burst into its spool in this run (a cost the raw POSTs do not pay)'] : []),
    ...(r.detail.influx.storeOverRawPerRound !== undefined ? [`store/raw per round: ${r.detail.influx.storeOverRawPerRound.join(', ')}`] : []),
    ...(quick ? ['--quick: BENCH_POINTS=40000, BENCH_ROUNDS=1; not figures to quote'] : [])
  ],
  command: `npm run bench -- telemetry${quick ? ' --quick' : ''}`
})
