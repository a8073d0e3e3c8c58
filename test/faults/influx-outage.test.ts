// Issue 7 fault: InfluxDB down for a minute while sensors send 10,000 messages a second. A real gateway
// (InfluxDB backend, durable spool) ingests from real MQTT clients in two generator processes; a real
// influxd is stopped (SIGTERM) for the outage and started again on the same data. Afterwards InfluxDB
// must hold exactly the points the gateway acknowledged: per device, COUNT = PUBACKs, so nothing was
// lost and nothing stored twice. Unit-level outages of the store alone are in
// test/gateway/telemetry/influx-faults.test.ts; this one is the whole path at the scale.
//
// What "duplicate" can mean here: InfluxDB keys a point by series + time, so the same point replayed
// twice (a batch resent after an ambiguous timeout) is stored once by design. A duplicate a user would
// see is a second point for one message at another time; every message has its own time stamp (see
// motion-generator.ts), so any such extra point raises a device's count above its PUBACKs.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { InfluxHttp } from '../../gateway/telemetry/influx-http.ts'
import { describeWithInfluxd, startInfluxd, type Influxd } from '../helpers/influxd.ts'
import { waitFor } from '../helpers/mqtt-client.ts'
import { addDevice, startGateway, type TestGateway } from '../helpers/start-gateway.ts'
import type { GeneratorDevice, GeneratorSummary } from './motion-generator.ts'

const GENERATOR = fileURLToPath(new URL('./motion-generator.ts', import.meta.url))
// 200 sensors × 50 msg/s = 10,000 msg/s offered, InfluxDB down for the full 60 s (600,000
// messages meanwhile). Measured here at full length: 2 min 47 s for the test on the shared 2-core machine
// (the gateway acknowledged ~5,300 msg/s on average there, the rest waited in TCP), so it runs at full
// length by default, with a longer timeout than the suite's 300 s for a busier machine; no LONG variant.
const DEVICES = 200
const RATE = 50
const OUTAGE_MS = 60_000
const TIMEOUT_MS = 480_000
const LEAD_MS = 5_000
const TAIL_MS = 5_000
const PROCESSES = 2

interface Run { summary: Promise<GeneratorSummary>, ready: Promise<void> }

function generator (url: string, devices: GeneratorDevice[], durationMs: number): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', GENERATOR, url, JSON.stringify(devices), String(RATE), String(durationMs)], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  let onReady = (): void => {}
  const ready = new Promise<void>((resolve) => { onReady = resolve })
  child.stdout.on('data', (c: Buffer) => { out += c.toString(); if (out.includes('"ready":true')) onReady() })
  child.stderr.on('data', (c: Buffer) => { err = (err + c.toString()).slice(-4000) })
  const summary = new Promise<GeneratorSummary>((resolve, reject) => {
    child.once('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? ''
      if (code !== 0 || !last.startsWith('{"sent"')) reject(new Error(`generator exited with ${code}: ${err}`))
      else resolve(JSON.parse(last) as GeneratorSummary)
    })
  })
  return { summary, ready }
}

describeWithInfluxd('InfluxDB outage under 10,000 msg/s', () => {
  let influxd: Influxd
  let gw: TestGateway

  beforeAll(async () => {
    influxd = await startInfluxd()
    gw = await startGateway({
      telemetry: { backend: 'influxdb', retentionDays: 30, influx: { url: influxd.url, database: 'anju_outage' } },
      // 50 msg/s per connection is a busy hub, above the 20/s default. The per-connection limiter is not
      // what this test is about (test/gateway/broker/flood.test.ts proves it), and it meters arrival: when
      // the gateway falls behind on a shared 2-core machine, each socket's backlog arrives as one burst and
      // would be cut off as a flood. So it is set out of reach here. Device time stamps run ahead of the wall clock by design
      // (motion-generator.ts), up to ~2 h behind now: they must be believed, not replaced. The motion hold
      // (a repeated `true` within it is the same activity; 2 min by default) at its 1 s minimum makes each
      // `true` 1,001 ms after the last a new point.
      mqtt: { ratePerSecond: 1_000_000, rateBurst: 1_000_000 },
      ingest: { maxClockSkewMs: 3 * 3_600_000, motionHoldMs: 1000 }
    })
  })
  afterAll(async () => {
    await gw?.stop()
    await influxd?.stop()
  })

  it(`loses and duplicates no point while InfluxDB is down for ${OUTAGE_MS / 1000} s`, async () => {
    const v = await gw.api<{ id: string }>('POST', '/api/v1/villages', { name: '山下庄村' })
    const g = await gw.api<{ id: string }>('POST', '/api/v1/grids', { villageId: v.body.id, name: '第一网格' })
    // One sensor per home: the alert engine keeps a per-home window of recent activity, and 50 events a
    // second in one home is load no real home makes.
    const tsStart = Date.now() - 2 * 3_600_000
    const devices: GeneratorDevice[] = []
    for (let i = 0; i < DEVICES; i++) {
      const h = await gw.api<{ id: string }>('POST', '/api/v1/homes', { gridId: g.body.id, label: `${i + 1}号` })
      const d = await addDevice(gw, h.body.id)
      devices.push({ id: d.id, secret: d.secret, tsStart: tsStart + i })
    }

    const durationMs = LEAD_MS + OUTAGE_MS + TAIL_MS
    const runs = Array.from({ length: PROCESSES }, (_, p) => generator(gw.urls.mqtt, devices.filter((_d, i) => i % PROCESSES === p), durationMs))
    await Promise.all(runs.map((r) => r.ready))
    const t0 = Date.now()
    await new Promise((resolve) => setTimeout(resolve, LEAD_MS))
    await influxd.pause()
    const down = Date.now()
    await waitFor(() => gw.telemetry.stats().spooled > 0, 20_000, 'points spooled while InfluxDB is down')
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, down + OUTAGE_MS - Date.now())))
    const spooledAtRestart = gw.telemetry.stats().spooled
    try {
      await influxd.restart()
    } catch (err) {
      // helpers/influxd.ts gives a restart 20 s to answer /ping; reopening the shards on a busy 2-core
      // machine has taken longer (once in five runs here). The process is still starting: wait for it.
      await waitFor(async () => await fetch(`${influxd.url}/ping`, { signal: AbortSignal.timeout(1000) }).then((r) => r.status === 204, () => false),
        120_000, `influxd to answer after its restart (${(err as Error).message.slice(0, 200)})`)
    }
    const up = Date.now()
    const summaries = await Promise.all(runs.map(async (r) => await r.summary))
    const loadEnd = Date.now()
    await waitFor(() => { const s = gw.telemetry.stats(); return s.queued === 0 && s.spooled === 0 }, 240_000, 'the spool to drain')
    const drained = Date.now()

    const acked = new Map<string, number>()
    for (const s of summaries) for (const [id, n] of Object.entries(s.ackedBy)) acked.set(id, n)
    const sent = summaries.reduce((n, s) => n + s.sent, 0)
    const ackedTotal = summaries.reduce((n, s) => n + s.acked, 0)

    const http = new InfluxHttp({ url: influxd.url, database: 'anju_outage', timeoutMs: 60_000 })
    const stored = new Map<string, number>()
    try {
      const [series = []] = await http.query('SELECT count(motion) FROM "anju_raw"."activity" GROUP BY "device"')
      for (const s of series) stored.set(String(s.tags?.device), Number(s.values?.[0]?.[1] ?? 0))
    } finally {
      http.close()
    }
    let lost = 0
    let duplicated = 0
    for (const [id, n] of acked) {
      const got = stored.get(id) ?? 0
      lost += Math.max(0, n - got)
      duplicated += Math.max(0, got - n)
    }
    const storedTotal = [...stored.values()].reduce((a, b) => a + b, 0)
    console.log('influx-outage:', JSON.stringify({
      outageS: (up - down) / 1000, restartS: (up - down - OUTAGE_MS) / 1000, sent, acked: ackedTotal, stored: storedTotal, lost, duplicated, spooledAtRestart,
      offeredPerS: Math.round(sent / (durationMs / 1000)), ackedPerS: Math.round(ackedTotal / ((loadEnd - t0) / 1000)), drainAfterLoadS: (drained - loadEnd) / 1000,
      closes: summaries.reduce((n, s) => n + s.closes, 0), droppedSpoolFull: gw.telemetry.stats().droppedSpoolFull
    }))

    // The load was really there: ~10,000 msg/s offered, all acknowledged, on connections never cut.
    expect(summaries.flatMap((s) => s.errors)).toEqual([])
    expect(summaries.reduce((n, s) => n + s.closes, 0)).toBe(0)
    expect(sent).toBeGreaterThanOrEqual(0.9 * DEVICES * RATE * durationMs / 1000)
    expect(ackedTotal).toBe(sent)
    // The outage was real: a large share of the load waited in the spool (594,183 points in the measured
    // run; the bound leaves room for a busier machine ingesting more slowly during the outage).
    expect(spooledAtRestart).toBeGreaterThan(100_000)
    // What a user queries afterwards: every acknowledged motion once, per device and in total.
    expect({ lost, duplicated, devices: stored.size }).toEqual({ lost: 0, duplicated: 0, devices: DEVICES })
    expect(storedTotal).toBe(ackedTotal)
    expect(gw.telemetry.stats().droppedSpoolFull).toBe(0)
  }, TIMEOUT_MS)
})
