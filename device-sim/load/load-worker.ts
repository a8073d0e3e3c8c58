// One load-generator process: real `mqtt` clients (MQTT 3.1.1, client id = username = device id) that
// connect, optionally subscribe to their config downlink, and publish status heartbeats (or alternating
// motion reports) at QoS 1, either
// as fast as a window of unacknowledged publishes allows or at a fixed rate. It measures publish→PUBACK
// and reports its own counters and CPU (process.cpuUsage) to the pool over IPC.
import mqtt, { type MqttClient } from 'mqtt'
import { configTopic, motionMessage, motionTopic, statusMessage, statusTopic, type FromLoadWorker, type LoadCred, type LoadMessageKind, type ToLoadWorker } from './load-protocol.ts'
import { Reservoir } from './reservoir.ts'

/**
 * `battery`: each device's own steady reading (a battery drains over weeks, not between heartbeats).
 * `motion`: what its last motion report said (they alternate, so every other one is a rising edge).
 */
interface Device { id: string, topic: string, motionTopic: string, client: MqttClient, inFlight: number, open: boolean, battery: number, motion: boolean, lastTs: number }
let kind: LoadMessageKind = 'status'

const devices: Device[] = []
const samples = new Reservoir()
let sent = 0
let acked = 0
let inFlight = 0
let closed = 0
let running = false
let rateTimer: NodeJS.Timeout | undefined

const send = (msg: FromLoadWorker): void => { if (process.connected) process.send?.(msg) }
const cpuMs = (): number => { const c = process.cpuUsage(); return (c.user + c.system) / 1000 }
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function connectAll (url: string, creds: LoadCred[], subscribe: boolean): Promise<FromLoadWorker> {
  let connected = 0
  let failed = 0
  let refusedSubscriptions = 0
  let firstError: string | null = null
  let pending = creds.length
  return new Promise((resolve) => {
    const settle = (): void => {
      if (--pending > 0) return
      resolve({ type: 'connected', connected, failed, refusedSubscriptions, firstError, doneAt: Date.now() })
    }
    if (pending === 0) { pending = 1; settle() }
    for (const c of creds) {
      const client = mqtt.connect(url, {
        clientId: c.id, username: c.id, password: c.secret, protocolVersion: 4, clean: true,
        // One attempt: a storm that needs retries should show up as failures, not hide in the time.
        reconnectPeriod: 0, connectTimeout: 120_000, keepalive: 600
      })
      const device: Device = { id: c.id, topic: statusTopic(c.id), motionTopic: motionTopic(c.id), client, inFlight: 0, open: false, battery: 60 + (devices.length % 40), motion: false, lastTs: 0 }
      let settled = false
      const fail = (err: Error): void => {
        firstError ??= err.message
        if (!settled) { settled = true; failed++; client.end(true); settle() }
      }
      client.on('error', fail)
      client.on('close', () => {
        if (device.open) { device.open = false; closed++ }
        // A broker may drop a connection before CONNACK/SUBACK (its CONNECT timeout in a long storm).
        if (!settled) fail(new Error('closed before CONNACK/SUBACK'))
      })
      client.once('connect', () => {
        device.open = true
        devices.push(device)
        if (!subscribe) { settled = true; connected++; settle(); return }
        client.subscribe(configTopic(c.id), { qos: 1 }, (err, granted) => {
          if (settled) return
          settled = true
          if (err) { firstError ??= err.message; failed++ } else {
            connected++
            // SUBACK 0x80 is a refusal, [MQTT-3.9.3].
            if (granted?.some((g) => g.qos === 128)) refusedSubscriptions++
          }
          settle()
        })
      })
    }
  })
}

let seq = 0
/**
 * One QoS 1 publish (status or motion, as set by the pool); `then` runs after its PUBACK (or failure). Battery stays in 80..100 %, as a
 * healthy fleet's does: readings that swing across the low-battery threshold (15 %, back at 25 %) would
 * open and close a low-battery alert on every message, which is an alert-engine load, not ingest.
 */
function publishOne (d: Device, then: () => void): void {
  const started = performance.now()
  d.inFlight++
  inFlight++
  sent++
  seq++
  let topic = d.topic
  let payload: string
  if (kind === 'motion') {
    d.motion = !d.motion
    topic = d.motionTopic
    d.lastTs = Math.max(Date.now(), d.lastTs + 1)
    payload = motionMessage(d.motion, d.lastTs)
  } else payload = statusMessage(d.battery, -40 - (seq % 50))
  d.client.publish(topic, payload, { qos: 1 }, (err) => {
    d.inFlight--
    inFlight--
    if (!err) { acked++; samples.add(performance.now() - started) }
    then()
  })
}

function startWindow (window: number): void {
  running = true
  const pump = (d: Device): void => {
    while (running && d.open && d.inFlight < window) publishOne(d, () => pump(d))
  }
  for (const d of devices) pump(d)
}

function startRate (perSecond: number, maxInFlight: number): void {
  running = true
  const started = performance.now()
  let issued = 0
  let next = 0
  const noop = (): void => {}
  // Every 5 ms, send what the schedule says is due; above maxInFlight the schedule slips (and the
  // achieved rate, reported from the target's counters, shows it).
  rateTimer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) * perSecond) / 1000) - issued
    for (let i = 0; i < due && inFlight < maxInFlight && devices.length > 0; i++) {
      const d = devices[next++ % devices.length] as Device
      issued++
      if (d.open) publishOne(d, noop)
    }
    if (inFlight >= maxInFlight) issued = Math.floor(((performance.now() - started) * perSecond) / 1000)
  }, 5)
}

async function halt (): Promise<FromLoadWorker> {
  running = false
  clearInterval(rateTimer)
  for (let waited = 0; inFlight > 0 && waited < 20_000; waited += 50) await sleep(50)
  return { type: 'halted', inFlight }
}

async function disconnect (): Promise<FromLoadWorker> {
  await halt()
  const all = devices.splice(0)
  await Promise.all(all.map((d) => new Promise<void>((resolve) => { d.open = false; d.client.end(true, {}, () => resolve()) })))
  return { type: 'disconnected' }
}

async function handle (msg: ToLoadWorker): Promise<FromLoadWorker | null> {
  switch (msg.type) {
    case 'connect': {
      await sleep(Math.max(0, msg.at - Date.now()))
      const step = Math.max(1, msg.batch > 0 ? Math.min(msg.batch, msg.creds.length) : msg.creds.length)
      const total = { connected: 0, failed: 0, refusedSubscriptions: 0, firstError: null as string | null }
      for (let i = 0; i < msg.creds.length || i === 0; i += step) {
        const r = await connectAll(msg.url, msg.creds.slice(i, i + step), msg.subscribe)
        if (r.type !== 'connected') return r
        total.connected += r.connected
        total.failed += r.failed
        total.refusedSubscriptions += r.refusedSubscriptions
        total.firstError ??= r.firstError
      }
      return { type: 'connected', ...total, doneAt: Date.now() }
    }
    case 'messages': kind = msg.kind; return null
    case 'window': startWindow(msg.window); return null
    case 'rate': startRate(msg.perSecond, msg.maxInFlight); return null
    case 'mark': samples.take(); return null
    case 'report': return { type: 'report', sent, acked, inFlight, closed, samples: samples.take(), cpuMs: cpuMs() }
    case 'halt': return await halt()
    case 'disconnect': return await disconnect()
  }
}

process.on('message', (msg: ToLoadWorker) => {
  handle(msg).then((reply) => { if (reply) send(reply) }, (err: Error) => send({ type: 'failed', message: err.message }))
})
// The pool going away (or crashing) must not leave thousands of sockets open.
process.on('disconnect', () => process.exit(0))
