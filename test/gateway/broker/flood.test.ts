// Flood survival: 50 devices flood QoS 0 from another process (the load aedes 1.x is known to crash
// under, aedes #193); the gateway must stay up, cut the flooders off and let an honest device through.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ActivityEvent } from '../../../src/events.ts'
import { startFloodGateway, type Flooder } from '../../helpers/flood-gateway.ts'
import { addDevice, seedHome, startGateway, type TestGateway } from '../../helpers/start-gateway.ts'
import { closed, connackCode, connectDevice, metricValue, waitFor } from '../../helpers/mqtt-client.ts'

const FLOODER = fileURLToPath(new URL('../../helpers/flood-clients.ts', import.meta.url))

describe('flood survival', () => {
  let gw: TestGateway
  let homeId: string
  let flooders: Flooder[]

  beforeAll(async () => {
    ({ gw, homeId, flooders } = await startFloodGateway(50))
  })
  afterAll(async () => { await gw.stop() })

  it('keeps serving an honest device while 50 clients flood, and cuts the flooders off', async () => {
    const floodMs = 8000
    const flood = new Promise<{ sent: number, connects: number, refusals: number }>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', FLOODER, gw.urls.mqtt, JSON.stringify(flooders), String(floodMs)],
        { timeout: floodMs + 20_000, maxBuffer: 1 << 20 }, (err, stdout) => err ? reject(err) : resolve(JSON.parse(stdout.trim().split('\n').at(-1) as string)))
    })
    // Let the flood build up before the honest device arrives.
    await waitFor(async () => (await metricValue((await gw.http.inject({ url: '/metrics' })).body, 'anju_mqtt_flood_disconnects_total')) >= 10, 15_000, 'flood under way')

    const honest = await addDevice(gw, homeId)
    const seen = new Promise<ActivityEvent>((resolve) => gw.bus.on('activity', (e) => { if (e.deviceId === honest.id) resolve(e) }))
    const client = await connectDevice(gw.urls.mqtt, honest)
    await client.publishAsync(`anju/v1/dev/${honest.id}/motion`, JSON.stringify({ motion: true }), { qos: 1 })
    expect((await seen).homeId).toBe(homeId)
    expect((await gw.http.inject({ url: '/healthz' })).statusCode).toBe(200)

    const summary = await flood
    await client.endAsync()
    const text = (await gw.http.inject({ url: '/metrics' })).body
    // Figures for the README come from the same counters: print them, assert the user-visible facts.
    console.log('flood:', JSON.stringify({ ...summary, floodDisconnects: await metricValue(text, 'anju_mqtt_flood_disconnects_total') }))
    expect(summary.sent).toBeGreaterThan(20_000)
    expect(await metricValue(text, 'anju_mqtt_flood_disconnects_total')).toBeGreaterThanOrEqual(50)
    const flooder = (await gw.api<{ dropped: Record<string, number> }>('GET', `/api/v1/devices/${flooders[1]?.id}`)).body
    expect(flooder.dropped.rate_limited).toBeGreaterThanOrEqual(1)
    // The honest device was not touched by anyone else's flood.
    expect((await gw.api<{ dropped: Record<string, number> }>('GET', `/api/v1/devices/${honest.id}`)).body.dropped).toEqual({})
  }, 60_000)

  it('a flooder is disconnected and refused with "server unavailable" (3) until its cooldown ends', async () => {
    const gw2 = await startGateway({ mqtt: { ratePerSecond: 5, rateBurst: 10, maxDelayMs: 200, floodCooldownMs: 60_000 } })
    try {
      const login = await addDevice(gw2, (await seedHome(gw2)).homeId)
      const client = await connectDevice(gw2.urls.mqtt, login)
      const gone = closed(client)
      for (let i = 0; i < 100; i++) client.publish(`anju/v1/dev/${login.id}/status`, '{"battery":50}', { qos: 0 })
      await gone
      expect(await connackCode(gw2.urls.mqtt, { clientId: login.id, username: login.id, password: login.secret })).toBe(3)
      const view = (await gw2.api<{ dropped: Record<string, number> }>('GET', `/api/v1/devices/${login.id}`)).body
      expect(view.dropped.rate_limited).toBe(1)
      client.end(true)
    } finally {
      await gw2.stop()
    }
  })

  it('a burst within the bucket is slowed down, not dropped', async () => {
    const gw2 = await startGateway({ mqtt: { ratePerSecond: 50, rateBurst: 5, maxDelayMs: 2000 } })
    try {
      const login = await addDevice(gw2, (await seedHome(gw2)).homeId)
      const client = await connectDevice(gw2.urls.mqtt, login)
      let heartbeats = 0
      gw2.bus.on('device-state', (e) => { if (e.deviceId === login.id && e.battery !== undefined) heartbeats++ })
      await Promise.all(Array.from({ length: 40 }, (_, i) => client.publishAsync(`anju/v1/dev/${login.id}/status`, JSON.stringify({ battery: 50 + (i % 10) }), { qos: 1 })))
      expect(heartbeats).toBe(40)
      expect(client.connected).toBe(true)
      await client.endAsync()
    } finally {
      await gw2.stop()
    }
  })
})
