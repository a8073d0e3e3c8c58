// ACL in the aedes hooks: every refusal a device could try, against a real gateway.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MqttClient } from 'mqtt'
import { addDevice, seedHome, startGateway, type Credentials, type TestGateway } from '../../helpers/start-gateway.ts'
import { closed, connectDevice, metricValue, waitFor } from '../../helpers/mqtt-client.ts'

describe('ACL', () => {
  let gw: TestGateway
  let sensor: Credentials
  let other: Credentials
  let hub: Credentials

  beforeAll(async () => {
    gw = await startGateway()
    const { homeId } = await seedHome(gw)
    sensor = await addDevice(gw, homeId)
    other = await addDevice(gw, homeId)
    hub = await addDevice(gw, homeId, 'hub')
  })
  afterAll(async () => { await gw.stop() })

  async function publishIsRefused (login: Credentials, topic: string): Promise<boolean> {
    const client = await connectDevice(gw.urls.mqtt, login)
    const gone = closed(client)
    client.publish(topic, JSON.stringify({ motion: true }), { qos: 1 })
    // [MQTT-3.3.5-2]: 3.1.1 has no negative PUBACK, so a refused publish closes the connection.
    const outcome = await Promise.race([gone.then(() => 'closed'), new Promise((resolve) => setTimeout(() => resolve('open'), 3000))])
    client.end(true)
    return outcome === 'closed'
  }

  async function granted (login: Credentials, filter: string): Promise<number> {
    const client = await connectDevice(gw.urls.mqtt, login)
    try {
      const grants = await client.subscribeAsync(filter, { qos: 1 })
      return grants[0]?.qos ?? -1
    } catch (err) {
      // mqtt.js rejects a SUBACK failure (0x80) and carries the packet on the error.
      const granted = (err as { packet?: { granted?: number[] } }).packet?.granted?.[0]
      if (granted === undefined) throw err
      return granted
    } finally {
      await client.endAsync()
    }
  }

  it.each([
    ['another device\'s motion topic', () => `anju/v1/dev/${other.id}/motion`],
    ['its own config (downlink) topic', () => `anju/v1/dev/${sensor.id}/config`],
    ['$SYS', () => '$SYS/anything'],
    ['a hub topic', () => `anju/v1/hub/${hub.id}/bridge/state`],
    ['outside the protocol', () => 'home/livingroom/light'],
    ['an unknown channel under its own prefix', () => `anju/v1/dev/${sensor.id}/firmware`]
  ])('a sensor may not publish to %s', async (_what, topic) => {
    expect(await publishIsRefused(sensor, topic())).toBe(true)
  })

  it('a sensor may publish motion under its own prefix and stays connected', async () => {
    const client = await connectDevice(gw.urls.mqtt, sensor)
    await client.publishAsync(`anju/v1/dev/${sensor.id}/motion`, JSON.stringify({ motion: true }), { qos: 1 })
    expect(client.connected).toBe(true)
    await client.endAsync()
  })

  it('a hub may not publish under another hub or a device prefix', async () => {
    expect(await publishIsRefused(hub, `anju/v1/dev/${sensor.id}/motion`)).toBe(true)
    expect(await publishIsRefused(hub, 'anju/v1/hub/hub-someoneelse/bridge/state')).toBe(true)
  })

  it.each([
    ['#', () => '#'],
    ['everything under the protocol root', () => 'anju/v1/#'],
    ['another device\'s config', () => `anju/v1/dev/${other.id}/config`],
    ['another device\'s uplink', () => `anju/v1/dev/${other.id}/motion`],
    ['$SYS', () => '$SYS/#'],
    ['a wildcard over all devices', () => 'anju/v1/dev/+/config']
  ])('a sensor may not subscribe to %s (SUBACK 0x80)', async (_what, filter) => {
    expect(await granted(sensor, filter())).toBe(128)
  })

  it('a sensor subscribes to its own config and receives the retained downlink', async () => {
    const client = await connectDevice(gw.urls.mqtt, sensor)
    const message = new Promise<string>((resolve) => client.once('message', (_t, payload) => resolve(payload.toString())))
    const grants = await client.subscribeAsync(`anju/v1/dev/${sensor.id}/config`, { qos: 1 })
    expect(grants[0]?.qos).toBe(1)
    expect(JSON.parse(await message)).toEqual({ heartbeatSeconds: 300 })
    await client.endAsync()
  })

  it('a config change through the admin API reaches the connected sensor', async () => {
    const client: MqttClient = await connectDevice(gw.urls.mqtt, sensor)
    await client.subscribeAsync(`anju/v1/dev/${sensor.id}/config`, { qos: 1 })
    const updated = new Promise<string>((resolve) => client.on('message', (_t, p) => { if (p.toString().includes('600')) resolve(p.toString()) }))
    expect((await gw.api('PUT', `/api/v1/devices/${sensor.id}/config`, { heartbeatSeconds: 600 })).status).toBe(200)
    expect(JSON.parse(await updated)).toEqual({ heartbeatSeconds: 600 })
    await client.endAsync()
  })

  it('a hub may subscribe inside its own prefix (Zigbee2MQTT subscribes to <base>/#) but not beyond', async () => {
    expect(await granted(hub, `anju/v1/hub/${hub.id}/#`)).toBe(1)
    expect(await granted(hub, `anju/v1/hub/${hub.id}/bridge/request/#`)).toBe(1)
    expect(await granted(hub, 'anju/v1/hub/#')).toBe(128)
    expect(await granted(hub, `anju/v1/hub/${hub.id}`)).toBe(128)
    expect(await granted(hub, '#')).toBe(128)
  })

  it('never delivers a device uplink to an MQTT client, not even the hub\'s own echo', async () => {
    const client = await connectDevice(gw.urls.mqtt, hub)
    const received: string[] = []
    client.on('message', (topic) => received.push(topic))
    await client.subscribeAsync(`anju/v1/hub/${hub.id}/#`, { qos: 1 })
    await client.publishAsync(`anju/v1/hub/${hub.id}/hall_pir`, JSON.stringify({ occupancy: true }), { qos: 1 })
    // A round trip through the broker (ping) after the publish: an echo would have arrived before it.
    await new Promise<void>((resolve) => {
      client.on('packetreceive', (p) => { if (p.cmd === 'pingresp') resolve() })
      ;(client as unknown as { _sendPacket: (p: object) => void })._sendPacket({ cmd: 'pingreq' })
    })
    expect(received).toEqual([])
    await client.endAsync()
  })

  it('counts refusals in /metrics', async () => {
    const text = await waitFor(async () => {
      const body = (await gw.http.inject({ method: 'GET', url: '/metrics' })).body
      return (await metricValue(body, 'anju_mqtt_acl_refusals_total', { action: 'publish' })) >= 8 ? body : null
    }, 5000, 'publish refusals counted')
    expect(await metricValue(text, 'anju_mqtt_acl_refusals_total', { action: 'subscribe' })).toBeGreaterThanOrEqual(9)
  })
})
