// Benchmark target "mosquitto": what a user might build instead of Anju — Mosquitto as the broker and a
// Node service subscribed at QoS 1 to every device's status and motion topics that validates each message
// exactly as the gateway does (JSON.parse + the zod schemas of src/device-payloads.ts, rising edges with
// src/motion-edges.ts) and persists what the gateway persists into the same embedded telemetry store:
// every rising edge as activity, and (unlike the gateway, which samples them) every status heartbeat. This process is the subscriber; Mosquitto is its child (so it dies
// with us), and its pid is reported for /proc CPU and RSS. "Ingested" = messages validated and queued
// for the store; the latency samples are publish ts → validated here (same machine clock).
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import mqtt, { type MqttClient } from 'mqtt'
import { systemClock } from '../../src/clock.ts'
import { motionPayload, statusPayload } from '../../src/device-payloads.ts'
import { MotionEdges } from '../../src/motion-edges.ts'
import { parseConfig } from '../../gateway/config/load-config.ts'
import { createLogger } from '../../gateway/logger.ts'
import { createTelemetryStore } from '../../gateway/telemetry/create-telemetry-store.ts'
import { Reservoir } from '../../device-sim/load/reservoir.ts'
import { peerCreds, reportCrashes, serveTarget, targetOptions } from './target-child.ts'

const MOSQUITTO = process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto'
const MAX_QUEUED = 5_000_000

reportCrashes()
const options = targetOptions()
const dir = mkdtempSync(join(tmpdir(), 'anju-bench-mosquitto-'))
const port = await new Promise<number>((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => { const p = (probe.address() as AddressInfo).port; probe.close(() => resolve(p)) })
})
writeFileSync(join(dir, 'mosquitto.conf'), [
  `listener ${port} 127.0.0.1`,
  'allow_anonymous true',
  'persistence false',
  // A subscriber slower than the publishers is queued for, not silently dropped (drops are reported).
  `max_queued_messages ${MAX_QUEUED}`,
  'max_queued_bytes 0',
  // The default of 20 unacknowledged QoS 1 messages per client would throttle the single subscriber.
  'max_inflight_messages 1000',
  'log_dest none',
  ''
].join('\n'))
const broker = spawn(MOSQUITTO, ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'inherit'] })
broker.once('exit', (code, signal) => { if (!stopping) throw new Error(`mosquitto exited (${String(code ?? signal)})`) })
let stopping = false

const config = parseConfig({ dataDir: dir, logLevel: 'silent' })
const store = createTelemetryStore(config, { clock: systemClock, log: createLogger('silent') })
await store.start()

const creds = peerCreds(options.devices)
// What the gateway knows from its registry: each device's home (two sensors per home).
const homes = new Map(creds.map((c, i) => [c.id, `home-${i >> 1}`]))
const samples = new Reservoir()
let received = 0
let ingested = 0
let invalid = 0

async function connectSubscriber (): Promise<MqttClient> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'anju-bench-subscriber', protocolVersion: 4, clean: true, reconnectPeriod: 0, keepalive: 600 })
    } catch (err) {
      if (attempt > 50) throw err
      await new Promise((resolve) => setTimeout(resolve, 100)) // mosquitto still starting
    }
  }
}
const subscriber = await connectSubscriber()
// The gateway's default hold time (config.ingest.motionHoldMs); with alternating reports it never decides.
const motionEdges = new MotionEdges(config.ingest.motionHoldMs)
subscriber.on('message', (topic, payload) => {
  received++
  const [, , , deviceId = '', channel] = topic.split('/')
  const homeId = homes.get(deviceId)
  let raw: unknown
  try { raw = JSON.parse(payload.toString('utf8')) } catch { invalid++; return }
  if (channel === 'motion') {
    const motion = motionPayload.safeParse(raw)
    if (homeId === undefined || !motion.success) { invalid++; return }
    const at = motion.data.ts ?? Date.now()
    if (motionEdges.observe(deviceId, motion.data.motion, at)) store.write([{ kind: 'activity', villageId: 'bench-village', homeId, deviceId, at, timeSource: 'device' }])
    ingested++
    if (motion.data.ts !== undefined) samples.add(Date.now() - motion.data.ts)
    return
  }
  const parsed = statusPayload.safeParse(raw)
  if (homeId === undefined || !parsed.success) { invalid++; return }
  const { battery, rssi, ts } = parsed.data
  store.write([{ kind: 'health', villageId: 'bench-village', homeId, deviceId, deviceKind: 'sensor', at: Date.now(), online: parsed.data.online ?? true, battery, rssi }])
  ingested++
  if (ts !== undefined) samples.add(Date.now() - ts)
})
await subscriber.subscribeAsync(['anju/v1/dev/+/status', 'anju/v1/dev/+/motion'], { qos: 1 })

serveTarget({
  type: 'ready', url: `mqtt://127.0.0.1:${port}`, creds, extraPids: [broker.pid as number],
  notes: [`mosquitto (${MOSQUITTO}) persistence false, max_queued_messages ${MAX_QUEUED}, max_inflight_messages 1000; one Node subscriber at QoS 1 validating with zod and writing the embedded store`]
}, {
  count: async () => ({ ingested, samples: samples.take() }),
  async finish () {
    await store.flush()
    const db = new Database(join(dir, 'telemetry.db'), { readonly: true })
    const row = db.prepare('SELECT count(*) AS n FROM activity').get() as { n: number }
    db.close()
    return { persisted: row.n, details: { received, invalid, storeStats: store.stats() } }
  },
  async stop () {
    stopping = true
    await subscriber.endAsync(true)
    await store.close()
    broker.kill('SIGTERM')
    rmSync(dir, { recursive: true, force: true })
  }
})
