// The flooders of bench/bare-aedes-flood.ts: 50 clients subscribe to `flood/#`, pause their sockets
// (slow consumers) and publish QoS 0 for 10 s. Exits 2 when the broker stops answering (loop stalled).
import mqtt from 'mqtt'

const port = process.argv[2]
const clients = await Promise.all(Array.from({ length: 50 }, (_, i) => mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'flood' + i, reconnectPeriod: 0 })))
await Promise.all(clients.map((c) => c.subscribeAsync('flood/#')))
for (const c of clients) (c.stream as unknown as { pause: () => void }).pause()
const end = Date.now() + 10_000
const payload = Buffer.from('{"motion":true}')
await Promise.all(clients.map(async (c, i) => {
  while (Date.now() < end) {
    for (let k = 0; k < 200; k++) c.publish(`flood/${i}/x`, payload, { qos: 0 })
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
}))
// A fresh client must get a CONNACK within 10 s, or the broker is stalled.
const probe = mqtt.connect(`mqtt://127.0.0.1:${port}`, { clientId: 'probe', reconnectPeriod: 0, connectTimeout: 10_000 })
const alive = await new Promise<boolean>((resolve) => { probe.once('connect', () => resolve(true)); probe.once('error', () => resolve(false)); setTimeout(() => resolve(false), 10_000) })
console.log(alive ? 'probe connected after the flood' : 'probe got no CONNACK within 10 s: broker stalled')
process.exit(alive ? 0 : 2)
