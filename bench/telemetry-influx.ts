// `npx tsx bench/telemetry-influx.ts`: points/s through InfluxTelemetryStore into a real influxd (Debian's
// 1.x, started on a temp dir), against the reference of raw line-protocol POSTs of 5,000-line batches
// straight to /write; then the spool's replay rate (points spooled while InfluxDB was unreachable, sent
// by a restarted store). 200,000 points over 30,000 series (10,000 homes x 3 sensors, 50 villages).
// Each run writes into a fresh database, so both paths pay InfluxDB's series creation alike; runs of
// the two paths alternate, and the median of BENCH_ROUNDS is reported (this machine is shared).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLogger } from '../gateway/logger.ts'
import { InfluxTelemetryStore, type InfluxStoreOptions } from '../gateway/telemetry/influx-store.ts'
import { systemClock } from '../src/clock.ts'
import { toLineProtocol, type ActivityPoint } from '../src/telemetry.ts'
import { startInfluxd } from '../test/helpers/influxd.ts'

const POINTS = Number(process.env.BENCH_POINTS ?? 200_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 2)
const BATCH = 5000
const HOMES = 10_000
const CHUNK = 500
const T0 = Date.now() - 86_400_000

const points: ActivityPoint[] = Array.from({ length: POINTS }, (_, i) => {
  const home = i % HOMES
  return { kind: 'activity', villageId: `vil-${home % 50}`, homeId: `home-${home}`, deviceId: `dev-${home}-${Math.floor(i / HOMES) % 3}`, at: T0 + i, timeSource: 'device' }
})
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

const influxd = await startInfluxd()
const dir = mkdtempSync(join(tmpdir(), 'anju-bench-influx-'))
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 })
let databases = 0

async function post (path: string, body: string, contentType = 'text/plain'): Promise<number> {
  return await new Promise((resolve, reject) => {
    const req = http.request(`${influxd.url}${path}`, { method: 'POST', agent, headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end(body)
  })
}
const query = async (q: string, db = ''): Promise<number> => await post(`/query?db=${db}`, new URLSearchParams({ q }).toString(), 'application/x-www-form-urlencoded')

async function count (db: string): Promise<number> {
  const res = await fetch(`${influxd.url}/query?db=${db}&q=${encodeURIComponent('SELECT count(motion) FROM activity')}`)
  const body = await res.json() as { results: Array<{ series?: Array<{ values: number[][] }> }> }
  return body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0
}

/** The reference: pre-built line protocol, 5,000-line POSTs, `concurrency` in flight. */
async function raw (concurrency: number): Promise<number> {
  const db = `bench_raw_${++databases}`
  await query(`CREATE DATABASE ${db}`)
  const lines = points.map(toLineProtocol)
  const bodies: string[] = []
  for (let i = 0; i < lines.length; i += BATCH) bodies.push(lines.slice(i, i + BATCH).join('\n'))
  const started = performance.now()
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < bodies.length) {
      const status = await post(`/write?db=${db}&precision=ms`, bodies[next++] ?? '')
      if (status !== 204) throw new Error(`raw write: HTTP ${status}`)
    }
  }))
  const rate = POINTS / ((performance.now() - started) / 1000)
  if (await count(db) !== POINTS) throw new Error('raw: points missing')
  await query(`DROP DATABASE ${db}`)
  return rate
}

function options (db: string, url = influxd.url): InfluxStoreOptions {
  return { url, database: db, retentionDays: 30, concurrency: CONCURRENCY, spoolPath: join(dir, `${db}.spool.db`), spoolMaxBytes: 1e9, clock: systemClock, log: createLogger('silent') }
}

async function drained (store: InfluxTelemetryStore): Promise<void> {
  await store.flush()
  while (store.stats().queued > 0 || store.stats().spooled > 0) await sleep(2)
}

/** Through the store as ingest would call it: 500-point write()s, yielding to the event loop every 5,000. */
async function viaStore (): Promise<{ rate: number, spilled: boolean }> {
  const db = `bench_store_${++databases}`
  const store = new InfluxTelemetryStore(options(db))
  await store.start()
  let spilled = false
  const started = performance.now()
  for (let i = 0; i < POINTS; i += CHUNK) {
    store.write(points.slice(i, i + CHUNK))
    if (i % 5000 === 0) {
      spilled ||= store.stats().spooled > 0
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
  await drained(store)
  const rate = POINTS / ((performance.now() - started) / 1000)
  await store.close()
  if (await count(db) !== POINTS) throw new Error('store: points missing')
  await query(`DROP DATABASE ${db}`)
  return { rate, spilled }
}

/** Spool while InfluxDB is unreachable, then time a restarted store's replay. */
async function replay (): Promise<number> {
  const db = `bench_replay_${++databases}`
  const offline = new InfluxTelemetryStore(options(db, 'http://127.0.0.1:9'))
  await offline.start()
  for (let i = 0; i < POINTS; i += CHUNK) offline.write(points.slice(i, i + CHUNK))
  await offline.close()
  const store = new InfluxTelemetryStore(options(db))
  const started = performance.now()
  await store.start()
  await drained(store)
  const rate = POINTS / ((performance.now() - started) / 1000)
  await store.close()
  if (await count(db) !== POINTS) throw new Error('replay: points missing')
  await query(`DROP DATABASE ${db}`)
  return rate
}

try {
  const results = { raw1: [] as number[], raw: [] as number[], store: [] as number[], replay: [] as number[] }
  let spilled = false
  for (let r = 0; r < ROUNDS; r++) {
    results.raw1.push(await raw(1))
    results.raw.push(await raw(CONCURRENCY))
    const s = await viaStore()
    results.store.push(s.rate)
    spilled ||= s.spilled
    results.replay.push(await replay())
    console.log(`round ${r + 1}: raw(1) ${Math.round(results.raw1[r] ?? 0)}  raw(${CONCURRENCY}) ${Math.round(results.raw[r] ?? 0)}  store ${Math.round(s.rate)}  replay ${Math.round(results.replay[r] ?? 0)} points/s`)
  }
  const summary = {
    influxPointsPerSec: Math.round(median(results.store)),
    influxRawPointsPerSec: Math.round(Math.max(median(results.raw1), median(results.raw))),
    spoolReplayPointsPerSec: Math.round(median(results.replay)),
    detail: {
      points: POINTS, series: HOMES * 3, rounds: ROUNDS, concurrency: CONCURRENCY, storeSpilledToSpool: spilled,
      rawSequentialPointsPerSec: Math.round(median(results.raw1)), rawConcurrentPointsPerSec: Math.round(median(results.raw)),
      // Paired: the store against the better raw run of the same round (the machine's load drifts between rounds).
      storeOverRawPerRound: results.store.map((s, i) => +(s / Math.max(results.raw1[i] ?? 0, results.raw[i] ?? 0)).toFixed(2))
    }
  }
  console.log(JSON.stringify(summary))
  console.log(`store / raw: ${(summary.influxPointsPerSec / summary.influxRawPointsPerSec).toFixed(2)} of the medians, ${median(summary.detail.storeOverRawPerRound).toFixed(2)} median of the paired rounds (target >= 0.8)`)
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
  writeFileSync(new URL('./results/telemetry-influx.json', import.meta.url), JSON.stringify(summary, null, 2) + '\n')
} finally {
  agent.destroy()
  await influxd.stop()
  rmSync(dir, { recursive: true, force: true })
}
