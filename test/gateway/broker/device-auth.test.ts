// Device identity at CONNECT: a real gateway on port 0 and the real mqtt client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import mqtt from 'mqtt'
import { addDevice, seedHome, startGateway, type Credentials, type TestGateway } from '../../helpers/start-gateway.ts'
import { closed, connackCode, connectDevice, metricValue, waitFor } from '../../helpers/mqtt-client.ts'

describe('device authentication', () => {
  let gw: TestGateway
  let device: Credentials
  let homeId: string

  beforeAll(async () => {
    gw = await startGateway()
    homeId = (await seedHome(gw)).homeId
    device = await addDevice(gw, homeId)
  })
  afterAll(async () => { await gw.stop() })

  const url = (): string => gw.urls.mqtt

  it('accepts a registered device with clientId = username = id and its secret', async () => {
    const client = await connectDevice(url(), device)
    expect(client.connected).toBe(true)
    await waitFor(async () => (await gw.api<{ connected: boolean }>('GET', `/api/v1/devices/${device.id}`)).body.connected, 5000, 'connected flag')
    await client.endAsync()
  })

  it('refuses a wrong secret with "bad user name or password" (4)', async () => {
    expect(await connackCode(url(), { clientId: device.id, username: device.id, password: 'x'.repeat(43) })).toBe(4)
  })

  it('refuses an unknown device with the same code, so ids cannot be probed', async () => {
    expect(await connackCode(url(), { clientId: 'dev-nosuchthing', username: 'dev-nosuchthing', password: device.secret })).toBe(4)
  })

  it('refuses anonymous devices', async () => {
    expect(await connackCode(url(), { clientId: device.id })).toBe(4)
  })

  it('refuses a clientId that is not the username with "identifier rejected" (2)', async () => {
    expect(await connackCode(url(), { clientId: 'someone-else', username: device.id, password: device.secret })).toBe(2)
  })

  it('refuses MQTT 5 at connect: aedes 1.x speaks 3.1.1 only', async () => {
    const client = mqtt.connect(url(), { clientId: device.id, username: device.id, password: device.secret, protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 3000 })
    const outcome = await new Promise<string>((resolve) => {
      client.once('connect', () => resolve('connected'))
      client.once('error', () => resolve('refused'))
      client.once('close', () => resolve('refused'))
    })
    client.end(true)
    expect(outcome).toBe('refused')
  })

  it('revoking closes the open connection and refuses the next connect with "not authorized" (5)', async () => {
    const victim = await addDevice(gw, homeId)
    const client = await connectDevice(url(), victim)
    const gone = closed(client)
    expect((await gw.api('POST', `/api/v1/devices/${victim.id}/revoke`)).status).toBe(200)
    await gone
    expect(await connackCode(url(), { clientId: victim.id, username: victim.id, password: victim.secret })).toBe(5)
    client.end(true)
  })

  it('rotating the secret invalidates the old one', async () => {
    const rotated = await addDevice(gw, homeId)
    const res = await gw.api<{ secret: string }>('POST', `/api/v1/devices/${rotated.id}/rotate-secret`)
    expect(res.body.secret).not.toBe(rotated.secret)
    expect(await connackCode(url(), { clientId: rotated.id, username: rotated.id, password: rotated.secret })).toBe(4)
    const client = await connectDevice(url(), { id: rotated.id, secret: res.body.secret })
    await client.endAsync()
  })

  it('counts refusals by reason in /metrics', async () => {
    const text = (await gw.http.inject({ method: 'GET', url: '/metrics' })).body
    expect(await metricValue(text, 'anju_mqtt_auth_failures_total', { reason: 'bad_secret' })).toBeGreaterThanOrEqual(1)
    expect(await metricValue(text, 'anju_mqtt_auth_failures_total', { reason: 'unknown_device' })).toBeGreaterThanOrEqual(1)
    expect(await metricValue(text, 'anju_mqtt_auth_failures_total', { reason: 'revoked' })).toBeGreaterThanOrEqual(1)
  })

  it('never returns a secret or its hash from the device list', async () => {
    const res = await gw.api<Array<Record<string, unknown>>>('GET', '/api/v1/devices')
    const text = JSON.stringify(res.body)
    expect(text).not.toContain(device.secret)
    expect(text).not.toMatch(/secret/i)
  })
})
