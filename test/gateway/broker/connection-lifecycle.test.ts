// Last will, restart, and the other transports (WebSocket on the HTTP port, TLS when configured).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { DeviceStateEvent } from '../../../src/events.ts'
import { addDevice, seedHome, startGateway, type TestGateway } from '../../helpers/start-gateway.ts'
import { connackCode, connectDevice, metricValue, waitFor } from '../../helpers/mqtt-client.ts'

interface DeviceView { online: boolean | null, connected: boolean, battery: number | null, dropped: Record<string, number> }

describe('connection lifecycle', () => {
  const open: TestGateway[] = []
  afterAll(async () => { for (const gw of open) await gw.stop() })
  const start = async (...args: Parameters<typeof startGateway>): Promise<TestGateway> => {
    const gw = await startGateway(...args)
    open.push(gw)
    return gw
  }

  it('a sensor that vanishes without DISCONNECT is marked offline by its last will', async () => {
    const gw = await start()
    const login = await addDevice(gw, (await seedHome(gw)).homeId)
    const client = await connectDevice(gw.urls.mqtt, login, { will: { topic: `anju/v1/dev/${login.id}/status`, payload: Buffer.from('{"online":false}'), qos: 1, retain: false } })
    await waitFor(async () => (await gw.api<DeviceView>('GET', `/api/v1/devices/${login.id}`)).body.online === true, 5000, 'online')
    const statusBefore = await metricValue((await gw.http.inject({ url: '/metrics' })).body, 'anju_messages_in_total', { type: 'status' })
    const offline = new Promise<DeviceStateEvent>((resolve) => gw.bus.on('device-state', (e) => { if (e.deviceId === login.id && e.online === false) resolve(e) }))
    client.stream.destroy() // power cut: no DISCONNECT packet
    await offline
    const view = await waitFor(async () => { const d = (await gw.api<DeviceView>('GET', `/api/v1/devices/${login.id}`)).body; return d.connected ? null : d }, 5000, 'disconnected')
    expect(view.online).toBe(false)
    expect(await metricValue((await gw.http.inject({ url: '/metrics' })).body, 'anju_messages_in_total', { type: 'status' })).toBe(statusBefore + 1)
  })

  it('a restart keeps the registry, secrets and device health', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'anju-restart-'))
    const first = await startGateway({ dataDir })
    const { homeId } = await seedHome(first)
    const login = await addDevice(first, homeId)
    const client = await connectDevice(first.urls.mqtt, login)
    await client.publishAsync(`anju/v1/dev/${login.id}/status`, JSON.stringify({ battery: 64 }), { qos: 1 })
    await client.publishAsync(`anju/v1/dev/${login.id}/motion`, 'garbage', { qos: 1 })
    await client.endAsync()
    const token = first.adminToken
    await first.stop({ keepDir: true })

    const second = await start({ dataDir })
    expect(second.adminToken).toBe(token)
    expect((await second.api<unknown[]>('GET', '/api/v1/homes')).body).toHaveLength(1)
    const view = (await second.api<DeviceView>('GET', `/api/v1/devices/${login.id}`)).body
    expect(view).toMatchObject({ battery: 64, online: false, dropped: { malformed_json: 1 } })
    const again = await connectDevice(second.urls.mqtt, login)
    expect(again.connected).toBe(true)
    await again.endAsync()
  })

  it('serves MQTT over WebSocket on the HTTP port under /mqtt, with the same auth', async () => {
    const gw = await start()
    const login = await addDevice(gw, (await seedHome(gw)).homeId)
    const client = await connectDevice(gw.urls.ws, login)
    await client.publishAsync(`anju/v1/dev/${login.id}/motion`, JSON.stringify({ motion: true }), { qos: 1 })
    expect((await gw.api<DeviceView>('GET', `/api/v1/devices/${login.id}`)).body.connected).toBe(true)
    await client.endAsync()
    expect(await connackCode(gw.urls.ws, { clientId: login.id, username: login.id, password: 'wrong' })).toBe(4)
  })

  it('serves MQTT over TLS when a certificate and key are configured', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anju-tls-'))
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' })
      const gw = await start({ mqtt: { tlsPort: 0, tlsCert: join(dir, 'cert.pem'), tlsKey: join(dir, 'key.pem') } })
      expect(gw.ports.mqtts).toBeGreaterThan(0)
      const login = await addDevice(gw, (await seedHome(gw)).homeId)
      const client = await connectDevice(`mqtts://127.0.0.1:${gw.ports.mqtts}`, login, { ca: readFileSync(join(dir, 'cert.pem')) })
      expect(client.connected).toBe(true)
      await client.endAsync()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('does not listen for TLS without a certificate', async () => {
    const gw = await start()
    expect(gw.ports.mqtts).toBeNull()
  })
})
