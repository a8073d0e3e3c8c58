// Scenario 2 (issue 7): 10,000 devices connected, each publishing one QoS 1 heartbeat a second for
// ~30 s, against the full gateway (default config: the 20/s token bucket does not bind at 1/s), bare
// aedes and Mosquitto + subscriber. Reports PUBACK p50/p99, the target's CPU in % of one core, and RSS
// per idle connection = (RSS with all connected and idle − RSS before) / connections.
import { printMachine } from '../lib/results.ts'
import { ratio, round } from '../lib/bench-stats.ts'
import { DEFINITIONS, watchdog } from '../lib/targets.ts'
import { drain, finish, GENERATOR_WORKERS, measureWindow, p, quick, runnableTargets, sleep, withTarget, type Outcome } from '../lib/scenario-kit.ts'

const DEVICES = quick ? 1_000 : 10_000
const WARMUP_MS = quick ? 2_000 : 5_000
const DURATION_MS = quick ? 5_000 : 30_000
const CONNECT_BATCH = 1_000
const SETTLE_MS = 3_000 // after connecting, before reading the idle RSS

watchdog(quick ? 180_000 : 900_000)
printMachine()
console.log(`connections: ${DEVICES} devices over ${GENERATOR_WORKERS} generator processes, 1 QoS 1 status/s each (${DEVICES} msg/s), measured ${DURATION_MS / 1000} s after ${WARMUP_MS / 1000} s warm-up`)

interface Figures {
  connected: number
  connectSeconds: number
  rssBeforeKb: number
  rssIdleKb: number
  kbPerIdleConnection: number
  msgPerS: number
  pubackP50Ms: number | null
  pubackP99Ms: number | null
  targetCpuPercentOfOneCore: number
  [more: string]: unknown
}

const results: Partial<Record<'anju' | 'aedes' | 'mosquitto', Outcome<Figures>>> = {}
for (const name of runnableTargets()) {
  results[name] = await withTarget(name, { devices: DEVICES }, async (target, pool) => {
    await sleep(1000)
    const rssBeforeKb = target.rssKb()
    // Connected in batches: this scenario is about the steady state (the storm is scenario 3), and a
    // storm slower than a broker's CONNECT timeout would cost connections here.
    const c = await pool.connect(target.url, target.creds, { batch: CONNECT_BATCH })
    if (c.failed > DEVICES / 100) throw new Error(`${c.failed} of ${DEVICES} clients failed to connect (${c.firstError})`)
    await sleep(SETTLE_MS)
    const rssIdleKb = target.rssKb()
    console.log(`   ${c.connected} connected in ${round(c.wallMs / 1000, 1)} s; RSS ${rssBeforeKb} → ${rssIdleKb} KiB`)
    pool.rate(DEVICES, DEVICES * 5) // round robin: every device once a second
    await sleep(WARMUP_MS)
    const w = await measureWindow(target, pool, DURATION_MS)
    await pool.halt()
    const drained = await drain(target, pool)
    const figures: Figures = {
      connected: c.connected,
      connectFailures: c.failed,
      connectSeconds: round(c.wallMs / 1000, 1),
      rssBeforeKb,
      rssIdleKb,
      kbPerIdleConnection: round((rssIdleKb - rssBeforeKb) / c.connected, 2),
      msgPerS: Math.round((w.ingested * 1000) / w.wallMs),
      pubackP50Ms: p(w.ackSamples, 50),
      pubackP99Ms: p(w.ackSamples, 99),
      targetCpuPercentOfOneCore: round((w.targetCpuMs / w.wallMs) * 100, 1),
      maxEventLoopStallMs: w.maxLoopDelayMs,
      generatorCpuPercentOfOneCorePerWorker: w.generatorCpuMs.map((ms) => Math.round((ms / w.wallMs) * 100)),
      rssUnderLoadKb: target.rssKb(),
      connectionsClosedDuringLoad: w.closed,
      ackedButNotIngested: Math.max(0, drained.acked - drained.ingested),
      notes: target.notes,
      definition: DEFINITIONS[name]
    }
    if (name === 'mosquitto') {
      figures.subscriberLatencyP50Ms = p(w.targetSamples, 50)
      figures.subscriberLatencyP99Ms = p(w.targetSamples, 99)
    }
    console.log(`   ${JSON.stringify(figures, (k, v) => (k === 'notes' || k === 'definition') ? undefined : v)}`)
    return figures
  })
}

const ok = (r: Outcome<Figures> | undefined): Figures | null => r === undefined || 'crashed' in r ? null : r
console.table(Object.entries(results).map(([name, r]) => {
  const f = ok(r)
  if (f === null) return { target: name, 'PUBACK p99 ms': 'CRASHED' }
  return { target: name, 'msg/s': f.msgPerS, 'PUBACK p50 ms': f.pubackP50Ms, 'PUBACK p99 ms': f.pubackP99Ms, 'CPU % of a core': f.targetCpuPercentOfOneCore, 'KB per idle conn.': f.kbPerIdleConnection, 'connect s': f.connectSeconds }
}))

const anju = ok(results.anju)
const aedes = ok(results.aedes)
const mosquitto = ok(results.mosquitto)
const ratios = {
  cpuAnjuOverAedes: ratio(anju?.targetCpuPercentOfOneCore, aedes?.targetCpuPercentOfOneCore),
  cpuAnjuOverMosquittoPeer: ratio(anju?.targetCpuPercentOfOneCore, mosquitto?.targetCpuPercentOfOneCore),
  kbPerConnectionAnjuOverAedes: ratio(anju?.kbPerIdleConnection, aedes?.kbPerIdleConnection),
  kbPerConnectionAnjuOverMosquitto: ratio(anju?.kbPerIdleConnection, mosquitto?.kbPerIdleConnection)
}
const targets = {
  pubackP99AtMost10Ms: anju?.pubackP99Ms != null && anju.pubackP99Ms <= 10,
  cpuAtMost35PercentOfOneCore: anju !== null && anju.targetCpuPercentOfOneCore <= 35,
  rssAtMost20KbPerIdleConnection: anju !== null && anju.kbPerIdleConnection <= 20
}
console.log('ratios', ratios)
console.log('targets met', targets)
finish('connections', {
  summary: anju === null
    ? 'Anju did not complete the scenario'
    : `${DEVICES} devices at 1 msg/s: Anju PUBACK p99 ${anju.pubackP99Ms} ms, ${anju.targetCpuPercentOfOneCore} % of a core, ${anju.kbPerIdleConnection} KB/idle connection (aedes ${aedes?.pubackP99Ms ?? 'n/a'} ms, ${aedes?.targetCpuPercentOfOneCore ?? 'n/a'} %, ${aedes?.kbPerIdleConnection ?? 'n/a'} KB; Mosquitto+subscriber ${mosquitto?.pubackP99Ms ?? 'n/a'} ms, ${mosquitto?.targetCpuPercentOfOneCore ?? 'n/a'} %, ${mosquitto?.kbPerIdleConnection ?? 'n/a'} KB); targets ${Object.values(targets).filter(Boolean).length}/3 met`,
  anju: results.anju ?? null,
  aedes: results.aedes ?? null,
  mosquitto: results.mosquitto ?? null,
  ratios,
  targets,
  load: { devices: DEVICES, generatorWorkers: GENERATOR_WORKERS, perDevicePerSecond: 1, qos: 1, warmupMs: WARMUP_MS, durationMs: DURATION_MS },
  definitions: DEFINITIONS,
  notes: [
    'gateway at its default config (token bucket 20/s, burst 100 per device; 1 msg/s does not touch it)',
    'RSS per idle connection is of the broker process (Mosquitto peer: mosquitto alone; the subscriber does not grow with devices); CPU of the Mosquitto peer is mosquitto + subscriber',
    `devices connect ${CONNECT_BATCH} at a time before the load starts`,
    'earlier figures quoted in issue 7: bare aedes 16.8 KB and Mosquitto 0.7 KB per connection',
    'generator and targets share the same 2 cores with anything else running (see machine.loadAvg1m)'
  ]
})
