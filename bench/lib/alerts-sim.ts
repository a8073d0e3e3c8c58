// Alerts scenario, half 1: CPU and memory per SIMULATED hour. The real gateway (build) runs on a fake clock
// (test/helpers/fake-time.ts, the tests' own): its one deadline timer, ingest and telemetry all read it.
// Each simulated second the clock advances 1 s (due deadlines run, as a real timer would run them) and
// the homes whose next motion edge falls in that second emit one on the bus. Each home's next edge
// comes 60–300 s after its last (uniform, mean 3 min: a person at home by day), so 100k homes give
// ~2 million events per simulated hour, ~555 per second of simulated time. The hour runs as fast as the
// CPU allows; its process CPU time is what an hour of such activity costs the gateway (plus this loop).
// Run with --expose-gc. Args: <homes> <simulatedHours>.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FakeTime } from '../../test/helpers/fake-time.ts'
import { buildBenchGateway, edge, memory, registerHomes, report, timerCounts, type BenchHome } from './alerts-homes.ts'

const HOMES = Number(process.argv[2] ?? 100_000)
const HOURS = Number(process.argv[3] ?? 2)
const MIN_GAP_S = 60
const MAX_GAP_S = 300
const WARMUP_S = 600 // every home has had motion and its deadlines exist before anything is measured

// 08:00 UTC two days ago: daytime thresholds, and the clock never runs ahead of real time.
const start = new Date()
start.setUTCDate(start.getUTCDate() - 2)
start.setUTCHours(8, 0, 0, 0)
const time = new FakeTime(start.getTime())

const dataDir = mkdtempSync(join(tmpdir(), 'anju-bench-alerts-sim-'))
const memBaseline = memory()
const registerStarted = performance.now()
const homes = registerHomes(dataDir, HOMES, time)
const registerMs = performance.now() - registerStarted
const gw = await buildBenchGateway(dataDir, { timers: time, notificationSink: { enqueue: () => {} } })

// A ring of buckets, one per second of the next MAX_GAP_S: bucket[s % size] holds the homes due then.
const size = MAX_GAP_S + 1
const ring: BenchHome[][] = Array.from({ length: size }, () => [])
for (const home of homes) (ring[Math.floor(Math.random() * MIN_GAP_S)] as BenchHome[]).push(home)
let second = 0
let events = 0

// One turn of the event loop per simulated second, as sockets would give: the telemetry store commits
// its batches on setImmediate, and a loop that never yields would queue an hour of points in memory.
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

async function simulate (seconds: number): Promise<void> {
  for (const end = second + seconds; second < end; second++) {
    await turn()
    time.advance(1000)
    const due = ring[second % size] as BenchHome[]
    ring[second % size] = []
    for (const home of due) {
      edge(gw, home, time.now())
      events++
      const gap = MIN_GAP_S + Math.floor(Math.random() * (MAX_GAP_S - MIN_GAP_S + 1))
      ;(ring[(second + gap) % size] as BenchHome[]).push(home)
    }
  }
}

await simulate(WARMUP_S)
const memLoaded = { ...memory(), ...timerCounts(gw) }
const hours: Array<{ events: number, cpuMs: number, wallMs: number, rssMb: number, heapUsedMbAfterGc: number | null, deadlines: number, nodeTimeouts: number }> = []
// Quarter-hours when fewer than one hour is asked for (--quick), so the loop still yields several runs.
const slice = HOURS >= 1 ? 3600 : 900
for (let i = 0; i < Math.round((HOURS * 3600) / slice); i++) {
  const before = events
  const cpu = process.cpuUsage()
  const wall = performance.now()
  await simulate(slice)
  await turn() // the last batch of the slice is committed inside it
  const used = process.cpuUsage(cpu)
  const scale = 3600 / slice
  hours.push({ events: (events - before) * scale, cpuMs: Math.round(((used.user + used.system) / 1000) * scale), wallMs: Math.round((performance.now() - wall) * scale), ...memory(), ...timerCounts(gw) })
}

// What the generator alone costs: the same loop with the bus emit left out, for a tenth of an hour.
const generatorCpu = process.cpuUsage()
let sink = 0
for (let s = 0; s < 360; s++) {
  const due = ring[(second + s) % size] as BenchHome[]
  for (let k = 0; k < due.length; k++) sink += MIN_GAP_S + Math.floor(Math.random() * (MAX_GAP_S - MIN_GAP_S + 1))
}
const generatorUsed = process.cpuUsage(generatorCpu)
const alerts = gw.alerts.list({}).length
await gw.close()
rmSync(dataDir, { recursive: true, force: true })
report({
  homes: HOMES, registerMs: Math.round(registerMs), simulatedHours: HOURS, slicesSeconds: slice, hours,
  memory: { baseline: memBaseline, loaded: memLoaded }, alertsOpened: alerts,
  generatorCpuMsPerHourApprox: Math.round(((generatorUsed.user + generatorUsed.system) / 1000) * 10), sink: sink > 0
})
process.exit(0)
