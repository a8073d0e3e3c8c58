// Scenario 3 (issue 7): 10,000 registered devices connect at once (a village's power comes back) and
// each subscribes to its own config downlink; the figure is the time until every one has its CONNACK
// and its SUBACK, against the full gateway, bare aedes and Mosquitto (the peer's subscriber is idle
// here). Warm-up storm first (full run), then several storms, each after all clients disconnected.
import { printMachine } from '../lib/results.ts'
import { median, ratio, round } from '../lib/bench-stats.ts'
import { watchdog } from '../lib/targets.ts'
import { finish, GENERATOR_WORKERS, quick, runnableTargets, sleep, withTarget, type Outcome } from '../lib/scenario-kit.ts'

const DEVICES = quick ? 1_000 : 10_000
const RUNS = quick ? 1 : 3
const WARMUP_RUNS = quick ? 0 : 1

watchdog(quick ? 180_000 : 900_000)
printMachine()
console.log(`reconnect: ${DEVICES} devices connect at once and subscribe to anju/v1/dev/<id>/config (QoS 1) from ${GENERATOR_WORKERS} generator processes; ${WARMUP_RUNS} warm-up + ${RUNS} measured storm(s)`)

interface Storm { seconds: number, connected: number, failed: number, refusedSubscriptions: number, targetCpuMs: number, firstError: string | null }
interface Figures { seconds: number, runs: Storm[], cpuUsPerConnect: number, generatorCpuMs: number, [more: string]: unknown }

const results: Partial<Record<'anju' | 'aedes' | 'mosquitto', Outcome<Figures>>> = {}
for (const name of runnableTargets()) {
  results[name] = await withTarget(name, { devices: DEVICES }, async (target, pool) => {
    const runs: Storm[] = []
    const gen0 = (await pool.report()).workerCpuMs.reduce((a, b) => a + b, 0)
    for (let i = 0; i < WARMUP_RUNS + RUNS; i++) {
      // The measured storms begin: a count also starts BENCH_TARGET_PROF's profile (target-child.ts).
      if (i === WARMUP_RUNS) await target.count()
      const cpu0 = target.cpuMs()
      const c = await pool.connect(target.url, target.creds, { subscribe: true })
      const storm: Storm = { seconds: round(c.wallMs / 1000, 2), connected: c.connected, failed: c.failed, refusedSubscriptions: c.refusedSubscriptions, targetCpuMs: Math.round(target.cpuMs() - cpu0), firstError: c.firstError }
      console.log(`   ${i < WARMUP_RUNS ? 'warm-up' : `run ${i - WARMUP_RUNS + 1}`}: ${JSON.stringify(storm)}`)
      if (i >= WARMUP_RUNS) runs.push(storm)
      await pool.disconnect()
      await sleep(2000) // let the target see every disconnect before the next storm
    }
    const gen1 = (await pool.report()).workerCpuMs.reduce((a, b) => a + b, 0)
    const complete = runs.every((r) => r.failed === 0 && r.refusedSubscriptions === 0 && r.connected === DEVICES)
    return {
      seconds: median(runs.map((r) => r.seconds)),
      allConnectedAndSubscribed: complete,
      runs,
      cpuUsPerConnect: Math.round(median(runs.map((r) => (r.targetCpuMs * 1000) / Math.max(1, r.connected)))),
      generatorCpuMs: Math.round((gen1 - gen0) / (WARMUP_RUNS + RUNS)),
      notes: target.notes
    }
  })
}

const ok = (r: Outcome<Figures> | undefined): Figures | null => r === undefined || 'crashed' in r ? null : r
console.table(Object.entries(results).map(([name, r]) => {
  const f = ok(r)
  if (f === null) return { target: name, 'seconds (median)': 'CRASHED' }
  return { target: name, 'seconds (median)': f.seconds, runs: f.runs.map((x) => x.seconds).join(', '), 'all in': f.allConnectedAndSubscribed, 'target µs CPU/connect': f.cpuUsPerConnect }
}))
const anju = ok(results.anju)
const aedes = ok(results.aedes)
const mosquitto = ok(results.mosquitto)
const ratios = { timeAnjuOverAedes: ratio(anju?.seconds, aedes?.seconds), timeAnjuOverMosquitto: ratio(anju?.seconds, mosquitto?.seconds) }
const targets = { allConnectedAndSubscribedWithin5s: anju !== null && anju.allConnectedAndSubscribed === true && anju.seconds <= 5 }
console.log('ratios', ratios)
console.log('targets met', targets)
finish('reconnect', {
  summary: anju === null
    ? 'Anju did not complete the scenario'
    : `${DEVICES} devices connect+subscribe at once: Anju ${anju.seconds} s (${anju.cpuUsPerConnect} µs CPU/connect${anju.allConnectedAndSubscribed === true ? '' : ', NOT all in'}), bare aedes ${aedes?.seconds ?? 'n/a'} s, Mosquitto ${mosquitto?.seconds ?? 'n/a'} s; target ≤ 5 s ${targets.allConnectedAndSubscribedWithin5s ? 'met' : 'NOT met'}`,
  anju: results.anju ?? null,
  aedes: results.aedes ?? null,
  mosquitto: results.mosquitto ?? null,
  ratios,
  targets,
  load: { devices: DEVICES, generatorWorkers: GENERATOR_WORKERS, runs: RUNS, warmupRuns: WARMUP_RUNS, mqtt: '3.1.1, clean session, one connect attempt per device (no retries), SUBACK awaited' },
  notes: [
    'time = from a common start instant in all generator processes until the last device has its CONNACK and SUBACK; a refused subscription (SUBACK 0x80) or a failed connect marks the run incomplete',
    'the peers authenticate nobody; the gateway checks each device\'s secret (SHA-256) and ACL',
    'each storm starts from fresh TCP connections; between storms all clients disconnect and the target gets 2 s',
    'generator and targets share the same 2 cores with anything else running (see machine.loadAvg1m)'
  ]
})
