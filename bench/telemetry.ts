// `npm run bench:telemetry`: both telemetry stores in one run. Runs the embedded benchmark and the
// InfluxDB benchmark (Anju's store, raw line-protocol POSTs of 5,000-line batches to the same influxd as
// the reference, and the spool's replay rate), each in its own process, and writes
// bench/results/telemetry.json = {influxPointsPerSec, influxRawPointsPerSec, embeddedPointsPerSec,
// spoolReplayPointsPerSec, ...details}. Targets (issue 3): InfluxDB path >= 0.8x raw; embedded >= 50k/s.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url))
const run = (script: string, env: Record<string, string> = {}): string => {
  console.log(`== ${script}`)
  const out = execFileSync(process.execPath, ['--import', 'tsx', here(script)], { env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 << 20 })
  process.stdout.write(out)
  return out
}
const lastJson = (out: string): Record<string, unknown> => JSON.parse(out.trim().split('\n').filter((l) => l.startsWith('{')).at(-1) as string) as Record<string, unknown>

const embedded = lastJson(run('./embedded-telemetry.ts'))
run('./telemetry-influx.ts')
const influx = JSON.parse(readFileSync(here('./results/telemetry-influx.json'), 'utf8')) as Record<string, number | object>

const result = {
  date: new Date().toISOString(),
  influxPointsPerSec: influx.influxPointsPerSec,
  influxRawPointsPerSec: influx.influxRawPointsPerSec,
  embeddedPointsPerSec: embedded.pointsPerSecond,
  spoolReplayPointsPerSec: influx.spoolReplayPointsPerSec,
  influxOverRaw: +((influx.influxPointsPerSec as number) / (influx.influxRawPointsPerSec as number)).toFixed(2),
  detail: { embedded, influx: influx.detail }
}
mkdirSync(here('./results/'), { recursive: true })
writeFileSync(here('./results/telemetry.json'), JSON.stringify(result, null, 2) + '\n')
console.table({ influx: result.influxPointsPerSec, raw: result.influxRawPointsPerSec, ratio: result.influxOverRaw, embedded: result.embeddedPointsPerSec, spoolReplay: result.spoolReplayPointsPerSec })
