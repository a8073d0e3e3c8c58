// The fault tests against a real influxd: InfluxDB stopped mid-load, ingest faster than InfluxDB,
// and the gateway closed or SIGKILLed while spooling. Every point must end up in InfluxDB exactly once.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { createLogger } from '../../../gateway/logger.ts'
import { InfluxHttp } from '../../../gateway/telemetry/influx-http.ts'
import { InfluxTelemetryStore, type InfluxStoreOptions } from '../../../gateway/telemetry/influx-store.ts'
import { systemClock } from '../../../src/clock.ts'
import type { ActivityPoint } from '../../../src/telemetry.ts'
import { describeWithInfluxd, startInfluxd, type Influxd } from '../../helpers/influxd.ts'

const REPO = fileURLToPath(new URL('../../../', import.meta.url))
const T0 = Date.now() - 3_600_000

/** Point i: 100 homes x 3 devices, a distinct ms per point, so (device, at) pairs are distinct. */
function points (from: number, count: number): ActivityPoint[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k
    return { kind: 'activity', villageId: `vil-${i % 5}`, homeId: `home-${i % 100}`, deviceId: `dev-${i % 100}-${i % 3}`, at: T0 + i, timeSource: 'device' }
  })
}

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

async function until (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 25_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

describeWithInfluxd('InfluxDB store under faults', () => {
  let influxd: Influxd
  let dir: string
  let databases = 0
  const open: InfluxTelemetryStore[] = []

  beforeAll(async () => {
    influxd = await startInfluxd()
    dir = mkdtempSync(join(tmpdir(), 'anju-influx-faults-'))
  })
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close()
  })
  afterAll(async () => {
    await influxd?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const options = (database: string, spoolPath: string, url = influxd.url): InfluxStoreOptions => ({
    url,
    database,
    retentionDays: 30,
    timeoutMs: 2000,
    spoolPath,
    spoolMaxBytes: 100_000_000,
    clock: systemClock,
    log: createLogger(process.env.ANJU_TEST_LOG ?? 'silent')
  })
  const newStore = (opts: InfluxStoreOptions): InfluxTelemetryStore => {
    const store = new InfluxTelemetryStore(opts)
    open.push(store)
    return store
  }
  const fresh = (): { database: string, spoolPath: string } => {
    const n = ++databases
    return { database: `anju_faults_${n}`, spoolPath: join(dir, `spool-${n}.db`) }
  }
  async function count (database: string, where = ''): Promise<number> {
    const http = new InfluxHttp({ url: influxd.url, database, timeoutMs: 5000 })
    try {
      const [series = []] = await http.query(`SELECT count(motion) FROM "anju_raw"."activity" ${where}`)
      return Number(series[0]?.values?.[0]?.[1] ?? 0)
    } finally {
      http.close()
    }
  }
  const drained = (store: InfluxTelemetryStore) => (): boolean => {
    const stats = store.stats()
    return stats.queued === 0 && stats.spooled === 0
  }

  it('stops influxd mid-load, keeps ingesting, restarts it: every point stored exactly once', async () => {
    const { database, spoolPath } = fresh()
    const store = newStore(options(database, spoolPath))
    await store.start()
    const total = 20_000
    let produced = 0
    let maxSpooled = 0
    // Ingest at a steady pace (200 points per 10 ms) while influxd goes away and comes back.
    const producer = (async () => {
      while (produced < total) {
        store.write(points(produced, 200))
        produced += 200
        maxSpooled = Math.max(maxSpooled, store.stats().spooled)
        await sleep(10)
      }
    })()
    await until('5,000 points', () => produced >= 5000)
    await influxd.pause()
    await until('12,000 points', () => produced >= 12_000)
    expect(store.stats().spooled).toBeGreaterThan(0)
    await influxd.restart()
    await producer
    await store.flush()
    await until('the spool to drain', drained(store))
    expect(maxSpooled).toBeGreaterThan(0)
    expect(await count(database)).toBe(total)
    expect(store.stats()).toMatchObject({ queued: 0, spooled: 0, droppedSpoolFull: 0 })
    expect(store.stats().written).toBeGreaterThanOrEqual(total)
  }, 60_000)

  it('spills to the spool when ingest outruns InfluxDB, without blocking or losing a point', async () => {
    const { database, spoolPath } = fresh()
    const store = newStore({ ...options(database, spoolPath), batchSize: 1000, concurrency: 1 })
    await store.start()
    // 80 batches at once, far beyond the 48 allowed to wait in memory. write() is synchronous: that the
    // overflow is already on the spool when it returns shows it did not wait for InfluxDB.
    store.write(points(0, 80_000))
    expect(store.stats().spooled).toBeGreaterThan(0)
    expect(store.stats().queued).toBeLessThanOrEqual(1000)
    await until('the spool to drain', drained(store))
    expect(await count(database)).toBe(80_000)
  })

  it('closes while spooling (influxd down), restarts as a new store: every point stored once', async () => {
    const { database, spoolPath } = fresh()
    await influxd.pause()
    try {
      const first = newStore(options(database, spoolPath))
      await first.start() // InfluxDB down: not fatal
      first.write(points(0, 7000))
      first.write(points(7000, 3000))
      await first.close()
      expect(first.stats()).toMatchObject({ queued: 0, spooled: 10_000 })
    } finally {
      await influxd.restart()
    }
    const second = newStore(options(database, spoolPath))
    await second.start()
    await until('the spool to drain', drained(second))
    expect(await count(database)).toBe(10_000)
    expect(second.stats().written).toBe(10_000)
  })

  it('survives SIGKILL of the gateway process while spooling: what was durable is replayed', async () => {
    const { database, spoolPath } = fresh()
    // A child "gateway" writes to a port where nothing listens, flushing to the spool after each round
    // and reporting how many points are durable, until it is killed mid-write.
    const deadUrl = 'http://127.0.0.1:9' // discard port: connection refused
    const childOptions = JSON.stringify({ url: deadUrl, database, retentionDays: 30, timeoutMs: 2000, spoolPath, spoolMaxBytes: 100_000_000 })
    const script = `
      import { InfluxTelemetryStore } from './gateway/telemetry/influx-store.ts'
      import { createLogger } from './gateway/logger.ts'
      const store = new InfluxTelemetryStore({ ...${childOptions}, clock: { now: () => Date.now() }, log: createLogger('silent') })
      await store.start()
      let n = 0
      for (;;) {
        const batch = []
        for (let k = 0; k < 500; k++, n++) {
          batch.push({ kind: 'activity', villageId: 'vil-' + (n % 5), homeId: 'home-' + (n % 100), deviceId: 'dev-' + (n % 100) + '-' + (n % 3), at: ${T0} + n, timeSource: 'device' })
        }
        store.write(batch)
        await store.flush()
        process.stdout.write('durable ' + n + '\\n')
      }`
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] })
    let durable = 0
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      for (const match of chunk.toString().matchAll(/durable (\d+)/g)) durable = Math.max(durable, Number(match[1]))
    })
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    const exited = new Promise((resolve) => child.once('exit', resolve))
    try {
      await until(`the child to spool 8,000 points (${stderr})`, () => durable >= 8000 || child.exitCode !== null)
      expect(child.exitCode, stderr).toBeNull()
    } finally {
      child.kill('SIGKILL')
      await exited
    }
    const store = newStore(options(database, spoolPath))
    await store.start()
    await until('the spool to drain', drained(store))
    // Everything reported durable is there, once; a round in flight at the kill may or may not be.
    expect(await count(database, `WHERE time < ${T0 + durable}ms`)).toBe(durable)
    expect(await count(database)).toBe(store.stats().written)
  }, 60_000)
})
