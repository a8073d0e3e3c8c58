// What only the InfluxDB store promises beyond the shared contract: the schema it creates at start-up,
// poison batches that cannot block the spool, quoting of odd ids in InfluxQL, deletion reaching the
// hourly rollup, and a spool bound that drops loudly rather than filling the disk.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { createLogger } from '../../../gateway/logger.ts'
import { InfluxHttp } from '../../../gateway/telemetry/influx-http.ts'
import { InfluxTelemetryStore, type InfluxStoreOptions } from '../../../gateway/telemetry/influx-store.ts'
import { systemClock } from '../../../src/clock.ts'
import type { ActivityPoint, HealthPoint } from '../../../src/telemetry.ts'
import { describeWithInfluxd, startInfluxd, type Influxd } from '../../helpers/influxd.ts'

const HOUR = 3_600_000
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR
const act = (homeId: string, at: number): ActivityPoint => ({ kind: 'activity', villageId: 'vil-a', homeId, deviceId: `${homeId}-pir`, at, timeSource: 'device' })

interface LogLine { level: number, msg: string, points?: number }

describeWithInfluxd('InfluxTelemetryStore', () => {
  let influxd: Influxd
  let dir: string
  let n = 0
  const stores: InfluxTelemetryStore[] = []
  const https: InfluxHttp[] = []

  beforeAll(async () => {
    influxd = await startInfluxd()
    dir = mkdtempSync(join(tmpdir(), 'anju-influx-specific-'))
  })
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close()
    for (const h of https.splice(0)) h.close()
  })
  afterAll(async () => {
    await influxd?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  function open (extra: Partial<InfluxStoreOptions> = {}): { store: InfluxTelemetryStore, http: InfluxHttp, logs: LogLine[], database: string } {
    const logs: LogLine[] = []
    const sink = new Writable({ write (chunk: Buffer, _enc, done) { logs.push(JSON.parse(chunk.toString()) as LogLine); done() } })
    const database = extra.database ?? `anju_specific_${++n}`
    const store = new InfluxTelemetryStore({
      url: influxd.url, database, retentionDays: 30, timeoutMs: 2000, spoolPath: join(dir, `spool-${++n}.db`), spoolMaxBytes: 10_000_000,
      clock: systemClock, log: createLogger('info', sink), ...extra
    })
    const http = new InfluxHttp({ url: influxd.url, database, timeoutMs: 5000 })
    stores.push(store)
    https.push(http)
    return { store, http, logs, database }
  }

  it('creates database, retention policies and the hourly rollup query at start, and again changes only the duration', async () => {
    const { store, http, database } = open()
    await store.start()
    const policies = async (): Promise<unknown[][]> => (await http.query(`SHOW RETENTION POLICIES ON "${database}"`))[0]?.[0]?.values ?? []
    const byName = Object.fromEntries((await policies()).map((row) => [row[0], { duration: row[1], default: row[4] }]))
    expect(byName.anju_raw).toEqual({ duration: '720h0m0s', default: true })
    expect(byName.anju_rollup).toEqual({ duration: '43800h0m0s', default: false })
    const cqs = async (): Promise<unknown[][]> => {
      const [series = []] = await http.query('SHOW CONTINUOUS QUERIES')
      return series.find((s) => s.name === database)?.values ?? []
    }
    expect((await cqs()).map((row) => row[0])).toEqual(['anju_activity_1h'])
    expect(String((await cqs())[0]?.[1])).toMatch(/RESAMPLE EVERY 1h FOR 2d BEGIN SELECT count\(motion\) AS events INTO .*anju_rollup.*activity_1h.*GROUP BY time\(1h\), village, home/)

    const again = open({ database, retentionDays: 90 })
    await again.store.start()
    expect((await policies()).find((row) => row[0] === 'anju_raw')?.[1]).toBe('2160h0m0s')
    expect(await cqs()).toHaveLength(1)
  })

  it('drops a batch InfluxDB refuses (field type conflict) with an error line, keeps its good points and does not spool', async () => {
    const { store, logs, database } = open()
    await store.start()
    // Someone wrote battery as a string before: our float battery now conflicts.
    const res = await fetch(`${influxd.url}/write?db=${database}&precision=ms`, { method: 'POST', body: `device_health,village=vil-a,home=h,device=d,kind=sensor battery="low" ${T0}` })
    expect(res.status).toBe(204)
    const bad: HealthPoint = { kind: 'health', villageId: 'vil-a', homeId: 'h', deviceId: 'd', deviceKind: 'sensor', at: T0 + 1, battery: 50 }
    store.write([act('home-1', T0), bad, act('home-1', T0 + 2)])
    await store.flush()
    expect(store.stats()).toMatchObject({ queued: 0, spooled: 0 })
    const refused = logs.find((l) => l.level === 50)
    expect(refused?.msg).toMatch(/refused a telemetry batch/)
    expect(refused?.points).toBe(3)
    expect(await store.activityEvents('home-1', { from: T0, to: T0 + HOUR })).toHaveLength(2)
  })

  it('quotes odd ids in InfluxQL: a quote cannot break out of a query', async () => {
    const { store } = open()
    await store.start()
    // No backslash: toLineProtocol escapes it in tags, which InfluxDB 1.x stores literally (doubled).
    const odd = "o'brien' OR home =~ /./ --"
    store.write([act(odd, T0), act('home-2', T0 + 1)])
    expect((await store.activityEvents(odd, { from: T0, to: T0 + HOUR })).map((p) => p.homeId)).toEqual([odd])
    expect((await store.lastActivityByDevice(odd)).get(`${odd}-pir`)).toBe(T0)
    await store.deleteHome(odd)
    expect([...(await store.lastActivityByHome()).keys()]).toEqual(['home-2'])
  })

  it('deletes a home from the hourly rollup as well as the raw points', async () => {
    const { store, http, database } = open()
    await store.start()
    store.write([act('home-1', T0), act('home-2', T0)])
    await store.flush()
    // What the continuous query would have written at the end of the hour.
    await http.query(`SELECT count(motion) AS events INTO "${database}"."anju_rollup"."activity_1h" FROM "anju_raw"."activity" WHERE time >= ${T0}ms AND time < ${T0 + HOUR}ms GROUP BY time(1h), village, home`)
    const rollupHomes = async (): Promise<string[]> => {
      const [series = []] = await http.query('SELECT last(events) FROM "anju_rollup"."activity_1h" GROUP BY home')
      return series.map((s) => s.tags?.home ?? '').sort()
    }
    expect(await rollupHomes()).toEqual(['home-1', 'home-2'])
    await store.deleteHome('home-1')
    expect(await rollupHomes()).toEqual(['home-2'])
  })

  it('bounds the spool: beyond it points are dropped, counted and logged, never blocking ingest', async () => {
    await influxd.pause()
    try {
      const { store, logs } = open({ spoolMaxBytes: 2500, batchSize: 10 })
      await store.start()
      store.write(Array.from({ length: 100 }, (_, i) => act('home-1', T0 + i)))
      await store.flush()
      const stats = store.stats()
      expect(stats.spooled).toBeGreaterThan(0)
      expect(stats.spoolBytes).toBeLessThanOrEqual(2500)
      expect(stats.spooled + stats.droppedSpoolFull).toBe(100)
      expect(logs.some((l) => l.level === 40 && /80 %/.test(l.msg))).toBe(true)
      expect(logs.some((l) => l.level === 50 && /spool FULL/.test(l.msg))).toBe(true)
    } finally {
      await influxd.restart()
    }
  })
})
