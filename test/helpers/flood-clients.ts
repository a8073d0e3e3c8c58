// Child process for the flood test: connects the given devices and floods QoS 0 as fast as the socket
// takes it, for `durationMs`, reconnecting when cut off. Hubs also subscribe to their own prefix and then
// stop reading, the slow-consumer pattern that makes bare aedes queue deliveries. Prints a JSON summary.
import mqtt, { type MqttClient } from 'mqtt'

interface FloodDevice { id: string, secret: string, kind: 'sensor' | 'hub' }
const [url, devicesJson, durationArg] = process.argv.slice(2)
const devices = JSON.parse(devicesJson as string) as FloodDevice[]
const end = Date.now() + Number(durationArg)
let sent = 0
let connects = 0
let refusals = 0

function topicOf (d: FloodDevice, i: number): string {
  return d.kind === 'hub' ? `anju/v1/hub/${d.id}/pir_${i % 3}` : `anju/v1/dev/${d.id}/motion`
}

async function flood (d: FloodDevice): Promise<void> {
  const payloads = [Buffer.from('{"occupancy":true}'), Buffer.from('{"motion":true}'), Buffer.from('not json')]
  while (Date.now() < end) {
    let client: MqttClient
    try {
      client = await mqtt.connectAsync(url as string, { clientId: d.id, username: d.id, password: d.secret, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 2000 })
    } catch {
      refusals++
      await new Promise((resolve) => setTimeout(resolve, 200))
      continue
    }
    connects++
    if (d.kind === 'hub') {
      await client.subscribeAsync(`anju/v1/hub/${d.id}/#`).catch(() => undefined)
      ;(client.stream as unknown as { pause: () => void }).pause()
    }
    let i = 0
    while (client.connected && Date.now() < end) {
      for (let k = 0; k < 200 && client.connected; k++) { client.publish(topicOf(d, i++), payloads[i % 3] as Buffer, { qos: 0 }); sent++ }
      await new Promise((resolve) => setImmediate(resolve))
    }
    client.end(true)
  }
}

await Promise.all(devices.map(flood))
console.log(JSON.stringify({ sent, connects, refusals }))
process.exit(0)
