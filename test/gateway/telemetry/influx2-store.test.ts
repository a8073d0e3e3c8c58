// The InfluxDB 2.x path (@influxdata/influxdb-client) against the shared TelemetryStore contract. No 2.x
// server can run here (Debian ships only 1.6), so the 2.x HTTP API is emulated by a thin proxy in front of
// a real influxd (test/helpers/influx2-emulator.ts): the client, Anju's spool and every query are real.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createLogger } from '../../../gateway/logger.ts'
import { InfluxTelemetryStore } from '../../../gateway/telemetry/influx-store.ts'
import { rollupBucketName, rollupTaskName } from '../../../gateway/telemetry/influx2-schema.ts'
import { systemClock } from '../../../src/clock.ts'
import type { ActivityPoint } from '../../../src/telemetry.ts'
import { startInflux2Emulator, type Influx2Emulator } from '../../helpers/influx2-emulator.ts'
import { describeWithInfluxd, startInfluxd, type Influxd } from '../../helpers/influxd.ts'
import { describeTelemetryContract } from './contract-suite.ts'

describeWithInfluxd('InfluxDB 2.x telemetry store (client library, emulated 2.x API over a real influxd)', () => {
  let influxd: Influxd
  let v2: Influx2Emulator
  let buckets = 0
  const dirs: string[] = []
  beforeAll(async () => {
    influxd = await startInfluxd()
    v2 = await startInflux2Emulator(influxd.url)
  })
  afterAll(async () => {
    await v2?.close()
    await influxd?.stop()
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })

  const store = (url: string, bucket: string, token = v2.token, dir = mkdtempSync(join(tmpdir(), 'anju-influx2-'))): InfluxTelemetryStore => {
    dirs.push(dir)
    return new InfluxTelemetryStore({
      url, database: bucket, v2: { token, org: v2.org, manageSchema: true },
      // The contract's fixed dates must stay inside the retention whatever today is.
      retentionDays: 0, timeoutMs: 2000, flushIntervalMs: 20,
      spoolPath: join(dir, 'spool.db'), spoolMaxBytes: 10_000_000, clock: systemClock,
      log: createLogger(process.env.ANJU_TEST_LOG ?? 'silent')
    })
  }

  describeTelemetryContract('InfluxDB 2.x', async () => ({ store: store(v2.url, `anju2_${++buckets}`), cleanup: async () => {} }))

  const recent = (n: number): ActivityPoint[] => Array.from({ length: n }, (_, i) =>
    ({ kind: 'activity', villageId: 'vil-1', homeId: 'home-1', deviceId: 'dev-1', at: Date.now() - 60_000 + i, timeSource: 'device' }))

  it('creates the raw and rollup buckets and the hourly rollup task at start-up', async () => {
    const s = store(v2.url, 'anju2_schema')
    await s.start()
    expect(v2.buckets.has('anju2_schema')).toBe(true)
    expect(v2.buckets.get(rollupBucketName('anju2_schema'))?.everySeconds).toBe(1825 * 86_400)
    const task = v2.tasks.find((t) => t.name === rollupTaskName('anju2_schema'))
    expect(task?.flux).toContain('to(bucket: "anju2_schema_rollup")')
    await s.close()
  })

  // The trap: the v2 client against a 1.x server gets 404 for /api/v2/write and drops the batch.
  it('keeps every point in the spool when the server has no /api/v2/write (a 1.x server), and loses none', async () => {
    const s = store(influxd.url, 'anju2_trap')
    await s.start()
    s.write(recent(500))
    await s.flush()
    await expect.poll(() => s.stats().spooled, { timeout: 10_000 }).toBe(500)
    expect(s.stats().written).toBe(0)
    await s.close()
  })

  it('keeps points in the spool while the token is refused, and delivers them once it is accepted', async () => {
    const bucket = 'anju2_token'
    const ok = store(v2.url, bucket)
    await ok.start() // creates the bucket
    await ok.close()
    const dir = mkdtempSync(join(tmpdir(), 'anju-influx2-'))
    const wrongToken = store(v2.url, bucket, 'not-the-token', dir)
    await wrongToken.start()
    const points = recent(300)
    wrongToken.write(points)
    await wrongToken.flush()
    await expect.poll(() => wrongToken.stats().spooled, { timeout: 10_000 }).toBe(300)
    expect(wrongToken.stats().written).toBe(0)
    await wrongToken.close()

    // The operator fixes the token and restarts: the spool on disk is replayed, every point once.
    const fixed = store(v2.url, bucket, v2.token, dir)
    await fixed.start()
    await expect.poll(() => fixed.stats().spooled, { timeout: 10_000 }).toBe(0)
    const events = await fixed.activityEvents('home-1', { from: points[0]!.at, to: points.at(-1)!.at + 1 })
    expect(events).toHaveLength(300)
    await fixed.close()
  })
})
