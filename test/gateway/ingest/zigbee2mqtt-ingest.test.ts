// A home hub running Zigbee2MQTT with base_topic anju/v1/hub/<hubId>, payloads as Zigbee2MQTT sends them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MqttClient } from 'mqtt'
import type { ActivityEvent, DeviceStateEvent } from '../../../src/events.ts'
import { addDevice, seedHome, startGateway, type Credentials, type TestGateway } from '../../helpers/start-gateway.ts'
import { connectDevice, metricValue, waitFor } from '../../helpers/mqtt-client.ts'

interface DeviceView { id: string, kind: string, homeId: string, hubId: string | null, friendlyName: string | null, online: boolean | null, battery: number | null, linkquality: number | null, dropped: Record<string, number> }

// What Zigbee2MQTT 1.x/2.x publishes for an Aqara RTCGQ11LM occupancy sensor.
const AQARA_STATE = { battery: 91, device_temperature: 27, illuminance: 23, linkquality: 87, occupancy: true, power_outage_count: 2, voltage: 3005 }

describe('Zigbee2MQTT hub ingest', () => {
  let gw: TestGateway
  let hub: Credentials
  let client: MqttClient
  const activity: ActivityEvent[] = []
  const states: DeviceStateEvent[] = []
  const base = (): string => `anju/v1/hub/${hub.id}`

  beforeAll(async () => {
    gw = await startGateway({ ingest: { maxSensorsPerHub: 3 } })
    const { homeId } = await seedHome(gw)
    hub = await addDevice(gw, homeId, 'hub')
    gw.bus.on('activity', (e) => activity.push(e))
    gw.bus.on('device-state', (e) => states.push(e))
    client = await connectDevice(gw.urls.mqtt, hub, { will: { topic: `anju/v1/hub/${hub.id}/bridge/state`, payload: Buffer.from('{"state":"offline"}'), retain: true, qos: 1 } })
  })
  afterAll(async () => {
    await client.endAsync()
    await gw.stop()
  })

  const publish = async (topic: string, payload: unknown): Promise<void> => {
    await client.publishAsync(topic, typeof payload === 'string' ? payload : JSON.stringify(payload), { qos: 1 })
  }
  const sensors = async (): Promise<DeviceView[]> => (await gw.api<DeviceView[]>('GET', `/api/v1/devices?hubId=${hub.id}`)).body

  it('bridge/state as JSON and as legacy plain text sets the hub online/offline', async () => {
    await publish(`${base()}/bridge/state`, { state: 'online' })
    expect(states.at(-1)).toMatchObject({ deviceId: hub.id, kind: 'hub', online: true })
    await publish(`${base()}/bridge/state`, 'offline')
    expect(states.at(-1)).toMatchObject({ deviceId: hub.id, kind: 'hub', online: false })
    await publish(`${base()}/bridge/state`, 'online')
    expect(states.at(-1)).toMatchObject({ deviceId: hub.id, online: true })
  })

  it('a friendly name becomes a sensor of the hub\'s home; occupancy rising edges are activity', async () => {
    await publish(`${base()}/bedroom_pir`, AQARA_STATE)
    await publish(`${base()}/bedroom_pir`, AQARA_STATE)
    await publish(`${base()}/bedroom_pir`, { ...AQARA_STATE, occupancy: false })
    await publish(`${base()}/bedroom_pir`, { ...AQARA_STATE, occupancy: true, battery: 90 })
    const list = await sensors()
    const pir = list.find((d) => d.friendlyName === 'bedroom_pir')
    expect(pir).toMatchObject({ kind: 'hub-sensor', hubId: hub.id, homeId: hub.homeId, online: true, battery: 90, linkquality: 87 })
    expect(activity.filter((e) => e.deviceId === pir?.id)).toHaveLength(2)
    expect(activity.every((e) => e.homeId === hub.homeId)).toBe(true)
  })

  it('accepts friendly names with slashes and partial states without occupancy', async () => {
    await publish(`${base()}/kitchen/pir`, { linkquality: 60 })
    const pir = (await sensors()).find((d) => d.friendlyName === 'kitchen/pir')
    expect(pir).toMatchObject({ linkquality: 60 })
  })

  it('a hub going offline takes its sensors offline; their next report brings each back', async () => {
    await publish(`${base()}/bridge/state`, { state: 'offline' })
    expect((await sensors()).map((d) => d.online)).toEqual([false, false])
    await publish(`${base()}/bridge/state`, { state: 'online' })
    await publish(`${base()}/bedroom_pir`, { ...AQARA_STATE, occupancy: false })
    const after = await sensors()
    expect(after.find((d) => d.friendlyName === 'bedroom_pir')?.online).toBe(true)
    expect(after.find((d) => d.friendlyName === 'kitchen/pir')?.online).toBe(false)
  })

  it('per-sensor availability (plain or JSON) marks the sensor offline', async () => {
    await publish(`${base()}/bedroom_pir/availability`, { state: 'offline' })
    expect((await sensors()).find((d) => d.friendlyName === 'bedroom_pir')?.online).toBe(false)
    await publish(`${base()}/bedroom_pir/availability`, 'online')
    expect((await sensors()).find((d) => d.friendlyName === 'bedroom_pir')?.online).toBe(true)
  })

  it('ignores Zigbee2MQTT chatter (bridge/info, bridge/devices, /set) without counting it as bad', async () => {
    await publish(`${base()}/bridge/info`, { version: '2.1.0', coordinator: { type: 'zStack3x0' } })
    await publish(`${base()}/bridge/devices`, [{ friendly_name: 'bedroom_pir', ieee_address: '0x00158d0001' }])
    await publish(`${base()}/bedroom_pir/set`, { occupancy_timeout: 60 })
    expect(client.connected).toBe(true)
    const hubView = (await gw.api<DeviceView>('GET', `/api/v1/devices/${hub.id}`)).body
    expect(hubView.dropped).toEqual({})
  })

  it('drops bad hub payloads and counts them on the hub', async () => {
    await publish(`${base()}/bedroom_pir`, '{"occupancy":')
    await publish(`${base()}/bedroom_pir`, { occupancy: 'on' })
    await publish(`${base()}/bridge/state`, 'maybe')
    const hubView = await waitFor(async () => {
      const d = (await gw.api<DeviceView>('GET', `/api/v1/devices/${hub.id}`)).body
      return d.dropped.invalid_payload === 2 ? d : null
    }, 5000, 'hub drops counted')
    expect(hubView.dropped).toEqual({ malformed_json: 1, invalid_payload: 2 })
  })

  it('a hub cannot fill the registry with invented friendly names', async () => {
    for (let i = 0; i < 5; i++) await publish(`${base()}/invented_${i}`, { occupancy: true })
    expect((await sensors()).length).toBe(3)
    const hubView = await waitFor(async () => {
      const d = (await gw.api<DeviceView>('GET', `/api/v1/devices/${hub.id}`)).body
      return (d.dropped.too_many_sensors ?? 0) >= 4 ? d : null
    }, 5000, 'too_many_sensors counted')
    expect(hubView.dropped.too_many_sensors).toBeGreaterThanOrEqual(4)
  })

  it('the hub\'s last will {"state":"offline"} marks it offline when its connection dies', async () => {
    const metric = async (): Promise<number> => metricValue((await gw.http.inject({ method: 'GET', url: '/metrics' })).body, 'anju_messages_in_total', { type: 'hub_state' })
    const before = await metric()
    const offline = new Promise<DeviceStateEvent>((resolve) => gw.bus.on('device-state', (e) => { if (e.deviceId === hub.id && e.online === false) resolve(e) }))
    client.stream.destroy()
    expect((await offline).kind).toBe('hub')
    // The will itself was ingested as a bridge/state message, not only the closed connection.
    await waitFor(async () => (await metric()) === before + 1, 5000, 'will ingested')
    client = await connectDevice(gw.urls.mqtt, hub)
  })
})
