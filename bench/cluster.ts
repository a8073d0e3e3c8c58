// `npm run bench:cluster [-- --quick]` (issue 8): cluster-mode ingest with 1, 2 and 3 gateway workers.
// For each worker count k: fresh services (PostgreSQL, Redis, Mosquitto with dynamic security, InfluxDB;
// test/cluster/cluster-harness.ts), the same devices provisioned, k worker processes sharing the
// partitions, then the load pool's real MQTT clients send QoS 1 status heartbeats to Mosquitto:
//   1. saturation (a window of unacknowledged publishes per device): what the workers received per second
//      (the sum of their /healthz `received`) and what Mosquitto acknowledged to the devices;
//   2. a fixed rate, the same for every k: what each process spends on the same load.
// CPU of every process comes from /proc (100 % = one core). Everything shares this machine's cores (2
// here), so extra workers bring no CPU of their own: the tables say where the CPU went. After each phase
// the workers drain, and what Mosquitto acknowledged but never delivered is counted. Writes
// bench/results/cluster.json. All traffic stays on 127.0.0.1; Ctrl-C stops everything started.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startLoadPool, type LoadPool, type PoolReport } from '../device-sim/load/load-pool.ts'
import { provision, startServices, startWorkerProcess, type ClusterTuning, type Services, type WorkerProcess } from '../test/cluster/cluster-harness.ts'
import { ratio, round } from './lib/bench-stats.ts'
import { cpuMs, pidListeningOn, processTree, rssKb } from './lib/proc.ts'
import { machine, printMachine, RESULTS_DIR } from './lib/results.ts'

const quick = process.argv.includes('--quick')
const WORKER_COUNTS = [1, 2, 3]
// provision() adds each device to Mosquitto's dynamic security one request at a time (~50 ms each here):
// 500 take ~27 s per worker count, the budget for a fresh start each time.
const DEVICES = quick ? 100 : 500
const WINDOW = 10 // unacknowledged QoS 1 publishes per device at saturation
const WARMUP_MS = quick ? 2_000 : 5_000
const MEASURE_MS = quick ? 5_000 : 20_000
const GENERATORS = 2
// Then a fixed rate, the same for every k (below what one worker took at saturation here): the CPU each
// process spends on the same load, and whether the workers keep up without loss at the broker.
const RATE = quick ? 2_000 : 4_000
const RATE_WARMUP_MS = quick ? 1_000 : 3_000
const RATE_MS = quick ? 3_000 : 10_000
const TUNING: ClusterTuning = {
  partitions: 32,
  leaseMs: 5_000,
  renewMs: 500,
  // Status heartbeats only: no motion, and no inactivity alert may open within a run.
  thresholdMs: 3_600_000,
  ladder: { tvTimeoutMs: 600_000, familyTimeoutMs: 600_000, gridTimeoutMs: 600_000 }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const loadAvg = (): number[] => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number)
const portOf = (url: string): number => Number(new URL(url).port)

/** Busy and total CPU ms of the whole machine (/proc/stat, every process of every user). */
function machineCpuMs (): { busy: number, total: number } {
  const f = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number)
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0) * 10
  const idle = ((f[3] ?? 0) + (f[4] ?? 0)) * 10
  return { busy: total - idle, total }
}

// What is running now, so a failure or Ctrl-C stops it all.
let services: Services | undefined
let workers: WorkerProcess[] = []
let pool: LoadPool | undefined

async function stopAll (): Promise<void> {
  const p = pool
  pool = undefined
  await p?.disconnect().catch(() => {})
  await p?.close().catch(() => {})
  const w = workers
  workers = []
  await Promise.all(w.map(async (x) => await x.stop().catch(() => {})))
  const s = services
  services = undefined
  await s?.stop().catch((err: unknown) => console.error('stopping services:', err))
}

let interrupted = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return
    interrupted = true
    console.error(`\n${signal}: stopping workers, load generator and services`)
    setTimeout(() => process.exit(130), 30_000).unref()
    void stopAll().finally(() => process.exit(130))
  })
}

interface Health { received: number, owned: number[], engines: number[], pendingBatches: number, routeFailures: number }
const health = async (w: WorkerProcess): Promise<Health> => (await w.api<Health>('GET', '/healthz')).body

/** Process groups whose CPU is measured; a group may be several processes (PostgreSQL's backends). */
type Groups = Record<string, number[]>

function groups (s: Services, ws: WorkerProcess[], p: LoadPool): Groups {
  const listening = (url: string, name: string): number => {
    const pid = pidListeningOn(portOf(url))
    if (pid === undefined) throw new Error(`no process found listening for ${name} on ${url}`)
    return pid
  }
  return {
    ...Object.fromEntries(ws.map((w) => [w.workerId, [w.child.pid as number]])),
    mosquitto: [listening(s.mosquitto.url, 'mosquitto')],
    influxd: [listening(s.influxd.url, 'influxd')],
    postgres: [listening(s.postgres.url, 'postgres')],
    redis: [listening(s.redis.url, 'redis')],
    generator: [...p.pids],
    'bench (this process)': [process.pid]
  }
}

/**
 * Counters, then CPU ms so far of each process of each group (PostgreSQL's tree read again each time).
 * Two instants: the HTTP and IPC round trips for the counters can take a second on a saturated machine,
 * so the CPU figures get their own time, read right after them with no await in between.
 */
interface Snapshot { countAt: number, cpuAt: number, received: number[], report: PoolReport, cpu: Record<string, Map<number, number>>, machine: { busy: number, total: number } }

async function snapshot (ws: WorkerProcess[], p: LoadPool, g: Groups): Promise<Snapshot> {
  const asked = performance.now()
  const [received, report] = await Promise.all([Promise.all(ws.map(async (w) => (await health(w)).received)), p.report()])
  const countAt = (asked + performance.now()) / 2
  const cpu: Record<string, Map<number, number>> = {}
  for (const [name, pids] of Object.entries(g)) {
    const m = new Map<number, number>()
    for (const pid of name === 'postgres' ? processTree(pids[0] as number) : pids) {
      try { m.set(pid, cpuMs(pid)) } catch { /* gone meanwhile */ }
    }
    cpu[name] = m
  }
  return { countAt, cpuAt: performance.now(), received, report, cpu, machine: machineCpuMs() }
}

/** % of one core per group over the window; a process started in it counts whole, one that ended not at all. */
function cpuPercent (a: Snapshot, b: Snapshot): Record<string, number> {
  const wall = b.cpuAt - a.cpuAt
  const out: Record<string, number> = {}
  for (const [name, after] of Object.entries(b.cpu)) {
    let ms = 0
    for (const [pid, v] of after) ms += v - (a.cpu[name]?.get(pid) ?? 0)
    out[name] = round((ms / wall) * 100, 0)
  }
  return out
}

async function waitFor (check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms
  while (!await check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await sleep(250)
  }
}

/** Points of the status heartbeats that reached InfluxDB (two of one device in one ms merge into one). */
async function influxPoints (s: Services): Promise<number | null> {
  try {
    const q = encodeURIComponent('SELECT count(battery) FROM device_health')
    const res = await fetch(`${s.influxd.url}/query?db=anju&q=${q}`)
    const body = await res.json() as { results?: Array<{ series?: Array<{ values?: Array<[string, number]> }> }> }
    return body.results?.[0]?.series?.[0]?.values?.[0]?.[1] ?? 0
  } catch {
    return null
  }
}

async function runWith (k: number) {
  const loadBefore = loadAvg()
  let t = performance.now()
  services = await startServices()
  const { homes } = await provision(services, DEVICES)
  const provisionS = round((performance.now() - t) / 1000, 1)
  t = performance.now()
  const s = services
  workers = await Promise.all(Array.from({ length: k }, async (_, i) => await startWorkerProcess(s, `w${i + 1}`, TUNING)))
  // Steady state first: every partition's engine running on exactly one worker, each with its share.
  await waitFor(async () => {
    const hs = await Promise.all(workers.map(health))
    const engines = hs.flatMap((h) => h.engines)
    return engines.length === TUNING.partitions && new Set(engines).size === TUNING.partitions &&
      hs.every((h) => h.engines.length >= Math.floor(TUNING.partitions / k))
  }, 60_000, `${k} worker(s) sharing ${TUNING.partitions} partitions`)
  const workersS = round((performance.now() - t) / 1000, 1)

  pool = startLoadPool({ workers: GENERATORS })
  const connected = await pool.connect(s.mosquitto.url, homes.map((h) => ({ id: h.deviceId, secret: h.secret })))
  if (connected.failed > 0) throw new Error(`${connected.failed} of ${homes.length} devices failed to connect: ${connected.firstError}`)
  const g = groups(s, workers, pool)
  console.log(`-- ${k} worker(s): services + ${DEVICES} devices provisioned in ${provisionS} s, workers steady in ${workersS} s, ${connected.connected} devices connected; load ${loadBefore.join(' ')}`)

  const saturation = await phase(s, pool, g, () => pool?.window(WINDOW), WARMUP_MS, MEASURE_MS)
  const fixedRate = { offeredMsgPerS: RATE, ...await phase(s, pool, g, () => pool?.rate(RATE), RATE_WARMUP_MS, RATE_MS) }
  const hs = await Promise.all(workers.map(health))
  const result = {
    workers: k,
    ...saturation,
    fixedRate,
    routeFailures: hs.reduce((n, h) => n + h.routeFailures, 0),
    workerRssMbAtEnd: Object.fromEntries(workers.map((w) => { try { return [w.workerId, Math.round(rssKb(w.child.pid as number) / 1024)] } catch { return [w.workerId, null] } })),
    influxPointsAtEnd: await influxPoints(s),
    provisionS,
    loadAvgBefore: loadBefore,
    loadAvgAfter: loadAvg()
  }
  await stopAll()
  return result
}

/** The workers' total `received` once it stops growing (Mosquitto has delivered what it kept for them). */
async function drained (): Promise<number> {
  let last = -1
  let total = 0
  await waitFor(async () => {
    total = (await Promise.all(workers.map(health))).reduce((n, h) => n + h.received, 0)
    const still = total === last
    last = total
    if (!still) await sleep(750)
    return still
  }, 30_000, 'the workers to drain').catch((err: unknown) => console.error(String(err)))
  return total
}

/** Offer load (`start`), warm up, measure a window, stop and drain; the figures of the window. */
async function phase (s: Services, p: LoadPool, g: Groups, start: () => void, warmupMs: number, measureMs: number) {
  const before = { received: await drained(), acked: (await p.report()).acked }
  start()
  await sleep(warmupMs)
  const a = await snapshot(workers, p, g)
  await sleep(measureMs)
  const b = await snapshot(workers, p, g)
  await p.halt()
  const total = await drained()
  const final = await p.report()

  const wallS = (b.countAt - a.countAt) / 1000
  const perWorker = b.received.map((r, i) => Math.round((r - (a.received[i] ?? 0)) / wallS))
  const received = perWorker.reduce((x, y) => x + y, 0)
  const acked = Math.round((b.report.acked - a.report.acked) / wallS)
  const cpu = cpuPercent(a, b)
  const ours = Object.values(cpu).reduce((x, y) => x + y, 0)
  const machineBusy = round(((b.machine.busy - a.machine.busy) / (b.machine.total - a.machine.total)) * 100 * machine().cores, 0)
  const workerCpu = workers.reduce((n, w) => n + (cpu[w.workerId] ?? 0), 0)
  return {
    receivedMsgPerS: received,
    receivedPerWorkerMsgPerS: perWorker,
    mosquittoAckedMsgPerS: acked,
    cpuPercentOfOneCore: cpu,
    workersCpuPercent: round(workerCpu, 0),
    workerCpuUsPerMsg: round((workerCpu * 10_000) / Math.max(1, received), 1),
    mosquittoCpuUsPerMsg: round(((cpu.mosquitto ?? 0) * 10_000) / Math.max(1, acked), 1),
    oursCpuPercent: round(ours, 0),
    machineBusyPercent: machineBusy,
    othersOnMachineCpuPercent: Math.max(0, round(machineBusy - ours, 0)),
    // Over the whole phase, warm-up and drain included: Mosquitto acknowledged these to the devices and
    // never delivered them to a worker (its queue per subscriber, max_queued_messages, was full).
    lostAtBroker: Math.max(0, (final.acked - before.acked) - (total - before.received)),
    ackedInPhase: final.acked - before.acked,
    connectionsClosed: b.report.closed,
    windowS: round(wallS, 1)
  }
}

printMachine()
const cores = machine().cores
console.log(`cluster ingest: ${DEVICES} devices (1 sensor per home) over ${GENERATORS} generator processes, QoS 1 status heartbeats; saturation (window ${WINDOW} per device) ${WARMUP_MS / 1000} s warm-up + ${MEASURE_MS / 1000} s measured, then ${RATE} msg/s ${RATE_WARMUP_MS / 1000} s + ${RATE_MS / 1000} s; workers ${WORKER_COUNTS.join(', ')}${quick ? ' (--quick: not figures to quote)' : ''}`)
console.log(`note: every process (workers, Mosquitto, InfluxDB, PostgreSQL, Redis, the generator) shares these ${cores} cores; more workers cannot add CPU, only use what the others leave`)

type Run = Awaited<ReturnType<typeof runWith>>
const runs: Run[] = []
try {
  for (const k of WORKER_COUNTS) {
    const r = await runWith(k)
    runs.push(r)
    console.log(`   saturation: ${r.receivedMsgPerS} msg/s received (per worker ${r.receivedPerWorkerMsgPerS.join(', ')}), Mosquitto acked ${r.mosquittoAckedMsgPerS}/s, CPU % ${JSON.stringify(r.cpuPercentOfOneCore)}`)
    console.log(`   fixed ${RATE}/s: ${r.fixedRate.receivedMsgPerS} msg/s received, lost at broker ${r.fixedRate.lostAtBroker}, CPU % ${JSON.stringify(r.fixedRate.cpuPercentOfOneCore)}`)
  }
} catch (err) {
  console.error('cluster bench failed:', err)
  await stopAll()
  process.exit(1)
}

const base = runs[0]
const withRatios = runs.map((r) => ({
  ...r,
  ratioToOneWorker: {
    received: ratio(r.receivedMsgPerS, base?.receivedMsgPerS),
    mosquittoAcked: ratio(r.mosquittoAckedMsgPerS, base?.mosquittoAckedMsgPerS),
    workersCpu: ratio(r.workersCpuPercent, base?.workersCpuPercent),
    fixedRateWorkersCpu: ratio(r.fixedRate.workersCpuPercent, base?.fixedRate.workersCpuPercent),
    fixedRateWorkerCpuUsPerMsg: ratio(r.fixedRate.workerCpuUsPerMsg, base?.fixedRate.workerCpuUsPerMsg)
  }
}))

type Phase = Awaited<ReturnType<typeof phase>>
const row = (p: Phase): Record<string, unknown> => ({
  'recv msg/s': p.receivedMsgPerS,
  'acked msg/s': p.mosquittoAckedMsgPerS,
  'workers CPU %': p.workersCpuPercent,
  'worker µs/msg': p.workerCpuUsPerMsg,
  'mosquitto %': p.cpuPercentOfOneCore.mosquitto,
  'influxd %': p.cpuPercentOfOneCore.influxd,
  'postgres %': p.cpuPercentOfOneCore.postgres,
  'redis %': p.cpuPercentOfOneCore.redis,
  'generator %': p.cpuPercentOfOneCore.generator,
  'ours %': p.oursCpuPercent,
  'machine %': p.machineBusyPercent,
  'lost at broker': p.lostAtBroker
})
console.log(`\nsaturation (window ${WINDOW} per device); CPU in % of one core, ${cores * 100} % is the whole machine`)
console.table(withRatios.map((r) => ({ workers: r.workers, ...row(r), '× k=1': r.ratioToOneWorker.received })))
console.log(`fixed rate ${RATE} msg/s offered (the same load for every k)`)
console.table(withRatios.map((r) => ({ workers: r.workers, ...row(r.fixedRate) })))

/** The largest CPU users at k = max, and whether the machine was full: the honest reading of the tables. */
function bottleneck (): string {
  const last = withRatios.at(-1)
  const first = withRatios[0]
  if (last === undefined || first === undefined) return 'no run'
  const full = last.machineBusyPercent >= cores * 100 * 0.9
  const cpu = last.cpuPercentOfOneCore
  const top = Object.entries({ 'the workers together': last.workersCpuPercent, ...Object.fromEntries(Object.entries(cpu).filter(([n]) => !/^w\d+$/.test(n))) })
    .sort((x, y) => y[1] - x[1]).slice(0, 3).map(([n, v]) => `${n} ${v} %`).join(', ')
  const mosquittoBound = withRatios.some((r) => (r.cpuPercentOfOneCore.mosquitto ?? 0) >= 90)
  const keptUp = withRatios.filter((r) => r.fixedRate.lostAtBroker === 0 && r.fixedRate.receivedMsgPerS >= RATE * 0.95).map((r) => r.workers)
  return [
    `saturation: ${withRatios.map((r) => `${r.workers} worker(s) ${r.receivedMsgPerS} msg/s`).join(', ')} (×${last.ratioToOneWorker.received ?? 'n/a'} at ${last.workers})`,
    `machine ${full ? 'saturated' : 'not saturated'} at ${last.workers} workers: ${last.machineBusyPercent} % of ${cores * 100} % busy (ours ${last.oursCpuPercent} %, others on this shared machine ${last.othersOnMachineCpuPercent} %)`,
    `largest CPU users there: ${top}`,
    mosquittoBound ? 'Mosquitto (single-threaded) reached a full core: it caps what any number of workers can receive' : 'Mosquitto stayed below a full core: it is not the cap here',
    full ? `with the ${cores} cores full, an added worker only takes CPU from Mosquitto, the generator and the other services` : 'the cores are not full: the cap is elsewhere (see the per-process figures)',
    last.mosquittoAckedMsgPerS > last.receivedMsgPerS * 1.1
      ? `at saturation Mosquitto acknowledged ${last.mosquittoAckedMsgPerS}/s to the devices, delivered ${last.receivedMsgPerS}/s to the workers and dropped ${last.lostAtBroker} acknowledged messages (its queue per subscriber, max_queued_messages, default 1000)`
      : 'Mosquitto delivered about what it acknowledged',
    `at ${RATE} msg/s: kept up without loss with ${keptUp.length > 0 ? keptUp.join(', ') : 'no'} worker count(s); workers' CPU ${withRatios.map((r) => `${r.fixedRate.workersCpuPercent} %`).join(' / ')} (${withRatios.map((r) => `${r.fixedRate.workerCpuUsPerMsg} µs/msg`).join(' / ')}) for k = ${withRatios.map((r) => r.workers).join(' / ')}`
  ].join('; ')
}
const reading = bottleneck()
console.log(`reading: ${reading}`)

mkdirSync(RESULTS_DIR, { recursive: true })
const out = join(RESULTS_DIR, 'cluster.json')
writeFileSync(out, JSON.stringify({
  date: new Date().toISOString(),
  command: `npm run bench:cluster${quick ? ' -- --quick' : ''}`,
  quick,
  machine: { ...machine(), loadAvgAtEnd: loadAvg() },
  load: { devices: DEVICES, generatorProcesses: GENERATORS, windowPerDevice: WINDOW, warmupMs: WARMUP_MS, measureMs: MEASURE_MS, fixedRate: { msgPerS: RATE, warmupMs: RATE_WARMUP_MS, measureMs: RATE_MS }, qos: 1, payload: '{"battery":..,"rssi":..,"ts":..} on anju/v1/dev/<id>/status', tuning: TUNING },
  runs: withRatios,
  reading,
  notes: [
    `all processes share the same ${cores} cores: more workers cannot add CPU; the table shows how the fixed CPU was spent`,
    'receivedMsgPerS: the sum of the workers\' /healthz `received` deltas over the measured window (messages the shared subscription delivered and each worker validated and handed to ingest)',
    'mosquittoAckedMsgPerS: PUBACKs the devices got; above receivedMsgPerS, Mosquitto queues the rest per worker and drops beyond max_queued_messages (lostAtBroker, counted over the whole phase after a drain)',
    'at saturation the generator publishes as fast as Mosquitto acknowledges and takes a large share of the same cores; the fixed-rate phase offers the same load for every k, so its CPU figures compare the cost of 1, 2 and 3 workers',
    'CPU from /proc per process (100 % = one core); postgres is the postmaster and its backends; machine % from /proc/stat includes other users of this shared machine',
    'fresh services and the same provisioning for every worker count'
  ]
}, null, 2) + '\n')
console.log(`wrote ${out}`)
process.exit(0)
