// Issue 7 fault: 50 clients flood QoS 0 for 30 s (half of them hubs subscribed with paused sockets, the
// slow-consumer load aedes 1.x is known to crash under, aedes #193). The gateway must stay up and an honest
// sensor publishing QoS 1 about once a second must see its PUBACK within 1 s at p99 — the gateway sends
// PUBACK after ingest, so that is the time until the gateway has taken the message. The flooders run in
// two child processes (test/helpers/flood-clients.ts) so the load generator does not share the gateway's
// event loop; the honest device runs here, beside the gateway, and so shares its event loop on purpose.
// test/gateway/broker/flood.test.ts covers 8 s of flood and that one message gets through; this one is the
// issue's 30 s and the latency a device sees throughout.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { setPriority } from 'node:os'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectDevice, metricValue } from '../helpers/mqtt-client.ts'
import { startFloodGateway, type Flooder } from '../helpers/flood-gateway.ts'
import { addDevice, type TestGateway } from '../helpers/start-gateway.ts'
import { percentile } from '../../bench/lib/bench-stats.ts'

const FLOODER = fileURLToPath(new URL('../helpers/flood-clients.ts', import.meta.url))
const FLOOD_MS = 30_000
const FLOODERS = 50
const PROCESSES = 2

interface FloodSummary { sent: number, connects: number, refusals: number }

function flood (url: string, devices: Flooder[]): Promise<FloodSummary> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ['--import', 'tsx', FLOODER, url, JSON.stringify(devices), String(FLOOD_MS)],
      { timeout: FLOOD_MS + 60_000, maxBuffer: 1 << 20 }, (err, stdout) => err ? reject(err) : resolve(JSON.parse(stdout.trim().split('\n').at(-1) as string) as FloodSummary))
    // The flooders publish as fast as their sockets take it and would take both cores of this machine. In
    // the field their CPU is in the attackers' devices, not the gateway's: a lower priority here (nice 10,
    // not 19, which starves them on a busy machine) so the gateway is not starved by its own test's load.
    if (child.pid !== undefined) setPriority(child.pid, 10)
  })
}

describe('QoS 0 flood of 50 clients for 30 s', () => {
  let gw: TestGateway
  let homeId: string
  let flooders: Flooder[]

  beforeAll(async () => {
    ({ gw, homeId, flooders } = await startFloodGateway(FLOODERS))
  })
  afterAll(async () => { await gw?.stop() })

  it('stays up, and an honest device gets its PUBACK within 1 s at p99', async () => {
    const honest = await addDevice(gw, homeId)
    const client = await connectDevice(gw.urls.mqtt, honest, { keepalive: 10 })
    let ingested = 0
    gw.bus.on('device-state', (e) => { if (e.deviceId === honest.id && e.battery !== undefined) ingested++ })

    const eld = monitorEventLoopDelay({ resolution: 10 })
    eld.enable()
    const cpu = process.cpuUsage()
    const started = Date.now()
    const floods = Array.from({ length: PROCESSES }, (_, p) => flood(gw.urls.mqtt, flooders.filter((_f, i) => i % PROCESSES === p)))
    // One heartbeat a second from the flood's start to its end, each timed from publish to PUBACK.
    const latencies: number[] = []
    let seq = 0
    while (Date.now() - started < FLOOD_MS - 1000) {
      const t = performance.now()
      await client.publishAsync(`anju/v1/dev/${honest.id}/status`, JSON.stringify({ battery: 50 + (seq++ % 40) }), { qos: 1 })
      latencies.push(performance.now() - t)
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - (performance.now() - t))))
    }
    // A device arriving in the middle of the flood is let in too.
    const late = await connectDevice(gw.urls.mqtt, await addDevice(gw, homeId))
    await late.endAsync()
    const summaries = await Promise.all(floods)
    const used = process.cpuUsage(cpu)
    const cpuShare = (used.user + used.system) / 1000 / (Date.now() - started)
    eld.disable()
    expect(client.connected).toBe(true)
    await client.endAsync()

    const sorted = [...latencies].sort((a, b) => a - b)
    const text = (await gw.http.inject({ url: '/metrics' })).body
    const figures = {
      samples: sorted.length, p50Ms: Math.round(percentile(sorted, 50)), p99Ms: Math.round(percentile(sorted, 99)), maxMs: Math.round(sorted.at(-1) ?? 0),
      offered: summaries.reduce((n, s) => n + s.sent, 0), connects: summaries.reduce((n, s) => n + s.connects, 0),
      floodDisconnects: await metricValue(text, 'anju_mqtt_flood_disconnects_total')
    }
    // The gateway's event-loop delay and CPU share (of one core) tell a slow gateway from a starved one.
    console.log('qos0-flood:', JSON.stringify({ ...figures, loopDelayP99Ms: Math.round(eld.percentile(99) / 1e6), loopDelayMaxMs: Math.round(eld.max / 1e6), gatewayCpuShare: Number(cpuShare.toFixed(2)) }), JSON.stringify(latencies.map(Math.round)))

    // The flood was real and lasted: many messages offered, flooders cut off again and again.
    expect(figures.offered).toBeGreaterThan(100_000)
    expect(figures.floodDisconnects).toBeGreaterThanOrEqual(FLOODERS)
    // The gateway is up and the honest device was served throughout, every heartbeat ingested, none dropped.
    expect((await gw.http.inject({ url: '/healthz' })).statusCode).toBe(200)
    expect(sorted.length).toBeGreaterThanOrEqual(25)
    expect(ingested).toBe(sorted.length)
    expect((await gw.api<{ dropped: Record<string, number> }>('GET', `/api/v1/devices/${honest.id}`)).body.dropped).toEqual({})
    expect(figures.p99Ms).toBeLessThanOrEqual(1000)
  })
})
