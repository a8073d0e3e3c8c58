// From a sensor's MQTT message to the telemetry store, through the real gateway (embedded backend).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDevice, seedHome, startGateway, type Credentials, type TestGateway } from '../../helpers/start-gateway.ts'
import { connectDevice } from '../../helpers/mqtt-client.ts'

describe('telemetry recording', () => {
  let gw: TestGateway
  let ids: Awaited<ReturnType<typeof seedHome>>
  let sensor: Credentials

  beforeAll(async () => {
    gw = await startGateway()
    ids = await seedHome(gw)
    sensor = await addDevice(gw, ids.homeId)
  })
  afterAll(async () => { await gw.stop() })

  it('stores every activity edge and heartbeat with the home\'s village', async () => {
    const client = await connectDevice(gw.urls.mqtt, sensor)
    const t = Date.now() - 60_000
    await client.publishAsync(`anju/v1/dev/${sensor.id}/motion`, JSON.stringify({ motion: true, ts: t }), { qos: 1 })
    await client.publishAsync(`anju/v1/dev/${sensor.id}/motion`, JSON.stringify({ motion: false }), { qos: 1 })
    await client.publishAsync(`anju/v1/dev/${sensor.id}/status`, JSON.stringify({ battery: 77, rssi: -60 }), { qos: 1 })
    await client.endAsync()
    await gw.telemetry.flush()

    const events = await gw.telemetry.activityEvents(ids.homeId, { from: t - 1, to: Date.now() + 1 })
    expect(events).toEqual([{ kind: 'activity', villageId: ids.villageId, homeId: ids.homeId, deviceId: sensor.id, at: t, timeSource: 'device' }])
    expect((await gw.telemetry.lastActivityByHome()).get(ids.homeId)).toBe(t)
    const hour = 3_600_000
    const from = Math.floor(t / hour) * hour
    const trend = await gw.telemetry.deviceHealth(sensor.id, { from, to: Date.now() + hour, bucketMs: hour })
    expect(trend.some((b) => b.battery === 77)).toBe(true)
    const village = await gw.telemetry.villageActivity(ids.villageId, { from, to: from + hour, bucketMs: hour })
    expect(village[0]).toMatchObject({ events: 1, activeHomes: 1 })
  })

  it('deleting a resident deletes their home\'s telemetry', async () => {
    const resident = await gw.api<{ id: string }>('POST', '/api/v1/residents', { homeId: ids.homeId, name: '张大爷' })
    expect((await gw.api('DELETE', `/api/v1/residents/${resident.body.id}`)).status).toBe(204)
    await gw.telemetry.flush()
    expect((await gw.telemetry.lastActivityByHome()).has(ids.homeId)).toBe(false)
  })

  it('shows the telemetry queue and store in /metrics', async () => {
    const text = (await gw.http.inject({ url: '/metrics' })).body
    expect(text).toMatch(/anju_store_queue_depth\{store="telemetry"\} \d+/)
    expect(text).toMatch(/anju_telemetry_points_written \d+/)
    expect(text).toMatch(/anju_telemetry_spool_bytes \d+/)
  })
})
