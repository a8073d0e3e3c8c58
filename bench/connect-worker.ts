// Worker for the reconnect-storm benchmark: receives its share of devices over IPC, connects them all
// at once and reports how long until every CONNACK arrived. Its own process, so the generator is not
// the gateway; a second message closes the clients.
import mqtt, { type MqttClient } from 'mqtt'

interface Job { url: string, creds: Array<{ id: string, secret: string }> }

const clients: MqttClient[] = []

async function run ({ url, creds }: Job): Promise<void> {
  const started = performance.now()
  let failed = 0
  await Promise.all(creds.map(async (c) => {
    try {
      clients.push(await mqtt.connectAsync(url, {
        clientId: c.id, username: c.id, password: c.secret, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 120_000, keepalive: 300
      }))
    } catch {
      failed++
    }
  }))
  const cpu = process.cpuUsage()
  process.send?.({ connected: clients.length, failed, ms: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000 })
}

process.on('message', (message: Job | 'stop') => {
  if (message === 'stop') {
    for (const c of clients) c.end(true)
    process.exit(0)
  }
  void run(message)
})
