// Ingest of native sensors: activity edges, heartbeats, time stamps, and the bad-payload zoo.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MqttClient } from 'mqtt'
import type { ActivityEvent, DeviceStateEvent } from '../../../src/events.ts'
import { addDevice, seedHome, startGateway, type Credentials, type TestGateway } from '../../helpers/start-gateway.ts'
import { connectDevice, metricValue, waitFor } from '../../helpers/mqtt-client.ts'

interface DeviceView { dropped: Record<string, number>, battery: number | null, rssi: number | null, fw: string | null, online: boolean | null, lastSeen: number | null }

describe('native sensor ingest', () => {
  let gw: TestGateway
  let homeId: string
  const activity: ActivityEvent[] = []
  const states: DeviceStateEvent[] = []

  beforeAll(async () => {
    gw = await startGateway({ mqtt: { maxPayloadBytes: 512 } })
    homeId = (await seedHome(gw)).homeId
    gw.bus.on('activity', (e) => activity.push(e))
    gw.bus.on('device-state', (e) => states.push(e))
  })
  afterAll(async () => { await gw.stop() })

  async function fresh (): Promise<{ login: Credentials, client: MqttClient, motion: (p: unknown) => Promise<void>, status: (p: unknown) => Promise<void> }> {
    const login = await addDevice(gw, homeId)
    const client = await connectDevice(gw.urls.mqtt, login)
    const send = (channel: string) => async (payload: unknown) => {
      await client.publishAsync(`anju/v1/dev/${login.id}/${channel}`, typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload), { qos: 1 })
    }
    return { login, client, motion: send('motion'), status: send('status') }
  }

  const device = async (id: string): Promise<DeviceView> => (await gw.api<DeviceView>('GET', `/api/v1/devices/${id}`)).body

  it('a rising edge is one activity for the home; repeats and `false` are not', async () => {
    const { login, client, motion } = await fresh()
    await motion({ motion: true })
    await motion({ motion: true })
    await motion({ motion: false })
    await motion({ motion: false })
    await motion({ motion: true })
    const mine = activity.filter((e) => e.deviceId === login.id)
    expect(mine).toHaveLength(2)
    expect(mine.every((e) => e.homeId === homeId)).toBe(true)
    await client.endAsync()
  })

  it('uses the device time stamp within the allowed skew, receive time otherwise', async () => {
    const { login, client, motion } = await fresh()
    const recent = Date.now() - 30_000
    await motion({ motion: true, ts: recent })
    await motion({ motion: false })
    await motion({ motion: true, ts: Date.UTC(2001, 0, 1) }) // a device clock reset to its factory date
    const mine = activity.filter((e) => e.deviceId === login.id)
    expect(mine[0]).toMatchObject({ at: recent, timeSource: 'device' })
    expect(mine[1]?.timeSource).toBe('gateway')
    expect(Math.abs((mine[1]?.at ?? 0) - Date.now())).toBeLessThan(10_000)
    await client.endAsync()
  })

  it('a heartbeat updates battery, signal, firmware and last seen', async () => {
    const { login, client, status } = await fresh()
    await status({ battery: 87, rssi: -71, fw: '1.2.3' })
    expect(states.some((s) => s.deviceId === login.id && s.battery === 87 && s.online === true)).toBe(true)
    const view = await device(login.id)
    expect(view).toMatchObject({ battery: 87, rssi: -71, fw: '1.2.3', online: true })
    expect(view.lastSeen).toBeGreaterThan(Date.now() - 10_000)
    await client.endAsync()
  })

  it.each([
    ['malformed JSON', 'motion', '{"motion": tru', 'malformed_json'],
    ['an empty payload', 'motion', '', 'malformed_json'],
    ['a wrong type', 'motion', { motion: 'yes' }, 'invalid_payload'],
    ['a missing field', 'motion', { ts: Date.now() }, 'invalid_payload'],
    ['an array', 'motion', [true], 'invalid_payload'],
    ['null', 'motion', 'null', 'invalid_payload'],
    ['a number', 'motion', '42', 'invalid_payload'],
    ['battery out of range', 'status', { battery: 140 }, 'invalid_payload'],
    ['a time stamp that is not a time', 'motion', { motion: true, ts: 'now' }, 'invalid_payload'],
    ['binary garbage', 'status', Buffer.from([0xff, 0xfe, 0x00, 0x7b]), 'malformed_json'],
    ['an oversize payload', 'status', JSON.stringify({ fw: 'x'.repeat(2000) }), 'oversize']
  ])('drops %s, counts it on the device, keeps the device connected', async (_what, channel, payload, reason) => {
    const { login, client, motion, status } = await fresh()
    const before = activity.length
    await (channel === 'motion' ? motion : status)(payload)
    expect(client.connected).toBe(true)
    expect(activity.length).toBe(before)
    const view = await waitFor(async () => { const d = await device(login.id); return d.dropped[reason] === 1 ? d : null }, 5000, `${reason} counted`)
    expect(view.dropped).toEqual({ [reason]: 1 })
    // The same connection still works for a good message afterwards.
    await motion({ motion: true })
    expect(activity.length).toBe(before + 1)
    await client.endAsync()
  })

  it('keeps drop counts in the device record in SQLite and in /metrics', async () => {
    const { login, client, motion } = await fresh()
    await motion('not json')
    await waitFor(() => {
      const row = gw.db.prepare('SELECT dropped FROM devices WHERE id = ?').get(login.id) as { dropped: string }
      return JSON.parse(row.dropped).malformed_json === 1
    }, 5000, 'drop count flushed to SQLite')
    const text = (await gw.http.inject({ method: 'GET', url: '/metrics' })).body
    expect(await metricValue(text, 'anju_messages_dropped_total', { reason: 'malformed_json' })).toBeGreaterThanOrEqual(3)
    expect(await metricValue(text, 'anju_messages_dropped_total', { reason: 'oversize' })).toBeGreaterThanOrEqual(1)
    expect(await metricValue(text, 'anju_messages_in_total', { type: 'motion' })).toBeGreaterThan(0)
    expect(text).toContain('anju_ingest_latency_seconds_bucket')
    await client.endAsync()
  })
})
