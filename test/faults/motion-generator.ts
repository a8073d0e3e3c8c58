// Child process for influx-outage.test.ts: real MQTT sensors publishing `motion: true` at QoS 1 at a fixed
// rate each, for `durationMs`. Every message is a distinct activity point: each device's time stamps
// step by 1,001 ms (> the 1 s motion hold, so every `true` is a new rising edge) from its own start, so
// (device, time) never repeats and a lost point cannot hide behind another. A message counts as accepted
// when its PUBACK arrives (the gateway sends it after ingest). Prints one JSON summary line on exit.
// Run in its own process so the load generator does not share the gateway's event loop.
import mqtt, { type MqttClient } from 'mqtt'

export interface GeneratorDevice { id: string, secret: string, tsStart: number }
export interface GeneratorSummary {
  sent: number
  acked: number
  /** PUBACKs per device id, i.e. how many points each device should have in the store. */
  ackedBy: Record<string, number>
  /** Connections lost mid-run (each may lose unacknowledged messages: the test requires none). */
  closes: number
  errors: string[]
}

export const TS_STEP_MS = 1001

const [url, devicesJson, rateArg, durationArg] = process.argv.slice(2)
const devices = JSON.parse(devicesJson as string) as GeneratorDevice[]
const ratePerDevice = Number(rateArg)
const durationMs = Number(durationArg)
const summary: GeneratorSummary = { sent: 0, acked: 0, ackedBy: {}, closes: 0, errors: [] }

const clients = await Promise.all(devices.map(async (d) => {
  const client = await mqtt.connectAsync(url as string, {
    clientId: d.id, username: d.id, password: d.secret, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 20_000, keepalive: 120
  })
  client.on('close', () => { if (!stopping) summary.closes++ })
  client.on('error', (err) => { if (summary.errors.length < 10) summary.errors.push(err.message) })
  summary.ackedBy[d.id] = 0
  return { d, client, k: 0 }
}))
let stopping = false
// Tell the parent the clients are connected, so it can time the outage against the load.
console.log(JSON.stringify({ ready: true }))

const pending = new Set<Promise<void>>()
function publish (c: { d: GeneratorDevice, client: MqttClient, k: number }): void {
  const ts = c.d.tsStart + c.k++ * TS_STEP_MS
  summary.sent++
  const p = new Promise<void>((resolve) => {
    c.client.publish(`anju/v1/dev/${c.d.id}/motion`, `{"motion":true,"ts":${ts}}`, { qos: 1 }, (err) => {
      if (err === undefined || err === null) { summary.acked++; summary.ackedBy[c.d.id] = (summary.ackedBy[c.d.id] ?? 0) + 1 }
      resolve()
    })
  })
  pending.add(p)
  void p.then(() => pending.delete(p))
}

// Paced by the wall clock: every 10 ms each device catches up to `rate × elapsed` messages.
const start = Date.now()
while (Date.now() - start < durationMs) {
  const due = Math.floor((Date.now() - start) * ratePerDevice / 1000)
  for (const c of clients) while (c.k < due && c.client.connected) publish(c)
  await new Promise((resolve) => setTimeout(resolve, 10))
}
// Wait for the last PUBACKs. A gateway behind the offered rate has a backlog in TCP at the end (a minute or
// more on a busy 2-core machine); bounded so a stuck gateway cannot hang the test (it then fails on acked).
await Promise.race([Promise.all(pending), new Promise((resolve) => setTimeout(resolve, 240_000))])
stopping = true
// end(true): no DISCONNECT handshake to wait for (a client the gateway closed would never answer).
for (const c of clients) c.client.end(true)
console.log(JSON.stringify(summary))
process.exit(0)
