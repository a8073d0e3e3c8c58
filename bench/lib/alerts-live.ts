// Alerts scenario, half 2: is an alert still on time under load, with the engine's REAL timers? The real
// gateway (build, system clock and timers) holds N homes with live inactivity deadlines; all but a sample
// keep moving at the realistic rate (every home an edge every ~3 min: N/180 events per second, spread
// over 50 ms ticks); the sample goes silent after one burst of motion, each with a short per-home
// threshold (set through the engine's own updateSettings, below the API's 30-minute minimum) staggered
// over the run. Lateness = the alert's openedAt (the engine's wall-clock reading when its deadline ran)
// − (last activity + threshold). Args: <homes> <sample> <firstThresholdS> <lastThresholdS>.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { systemClock } from '../../src/clock.ts'
import { buildBenchGateway, edge, memory, registerHomes, report, timerCounts, type BenchHome } from './alerts-homes.ts'

const HOMES = Number(process.argv[2] ?? 100_000)
const SAMPLE = Number(process.argv[3] ?? 200)
const FIRST_S = Number(process.argv[4] ?? 20)
const LAST_S = Number(process.argv[5] ?? 120)
const GAP_S = 180 // mean seconds between one home's motion edges
const TICK_MS = 50

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const dataDir = mkdtempSync(join(tmpdir(), 'anju-bench-alerts-live-'))
const homes = registerHomes(dataDir, HOMES, systemClock)
const gw = await buildBenchGateway(dataDir, { notificationSink: { enqueue: () => {} } })

// Every home moves once (two edges: a lone edge does not count, gateway/alerts/lone-events.ts), in
// chunks so the event loop keeps turning: 100k live inactivity deadlines before the sample starts.
for (let i = 0; i < homes.length; i += 2000) {
  for (const home of homes.slice(i, i + 2000)) { edge(gw, home, Date.now()); edge(gw, home, Date.now()) }
  await sleep(0)
}
const sample = homes.slice(0, SAMPLE)
const moving = homes.slice(SAMPLE)
const thresholdOf = new Map<string, number>()
sample.forEach((home, i) => {
  const ms = Math.round((FIRST_S + ((LAST_S - FIRST_S) * i) / Math.max(1, SAMPLE - 1)) * 1000)
  thresholdOf.set(home.homeId, ms)
  gw.alerts.updateSettings(home.homeId, { inactivityThresholdMs: ms, quietHours: null, ladder: null, by: 'bench' })
  edge(gw, home, Date.now())
  edge(gw, home, Date.now())
})

// The background load, until the last sample threshold has passed by 5 s.
const perTick = (moving.length / GAP_S) * (TICK_MS / 1000)
let cursor = 0
let owed = 0
let events = 0
const cpu = process.cpuUsage()
const started = performance.now()
const ticker = setInterval(() => {
  for (owed += perTick; owed >= 1; owed--) {
    edge(gw, moving[cursor] as BenchHome, Date.now())
    cursor = (cursor + 1) % moving.length
    events++
  }
}, TICK_MS)
await sleep(LAST_S * 1000 + 5000)
clearInterval(ticker)
const used = process.cpuUsage(cpu)
const wallMs = performance.now() - started
const counts = timerCounts(gw)

const lateness: number[] = []
let missing = 0
for (const home of sample) {
  const alert = gw.alerts.openAlertOf(home.homeId, 'inactivity')
  const last = gw.alerts.lastActivity(home.homeId)
  if (alert === undefined || last === null) { missing++; continue }
  lateness.push(alert.openedAt - (last + (thresholdOf.get(home.homeId) as number)))
}
const otherAlerts = gw.alerts.list({}).filter((a) => !thresholdOf.has(a.homeId)).length
const mem = memory()
await gw.close()
rmSync(dataDir, { recursive: true, force: true })
report({
  homes: HOMES, sample: SAMPLE, thresholdsS: [FIRST_S, LAST_S], lateness, missing, otherAlerts,
  load: { eventsPerSecond: Math.round(events / (wallMs / 1000)), seconds: Math.round(wallMs / 1000), cpuMsPerRealHour: Math.round(((used.user + used.system) / 1000) * (3_600_000 / wallMs)) },
  memory: mem, ...counts
})
process.exit(0)
