// The gateway configured for production telemetry (ANJU_TELEMETRY_BACKEND=influxdb) against a real
// influxd: a sensor's messages arrive in InfluxDB, and survive InfluxDB being down for a while.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeWithInfluxd, startInfluxd, type Influxd } from '../../helpers/influxd.ts'
import { addDevice, seedHome, startGateway, type TestGateway } from '../../helpers/start-gateway.ts'
import { connectDevice, waitFor } from '../../helpers/mqtt-client.ts'

describeWithInfluxd('gateway with InfluxDB telemetry', () => {
  let influxd: Influxd
  let gw: TestGateway

  beforeAll(async () => {
    influxd = await startInfluxd()
    gw = await startGateway({ telemetry: { backend: 'influxdb', retentionDays: 30, flushIntervalMs: 50, influx: { url: influxd.url, database: 'anju_gateway' } } })
  })
  afterAll(async () => {
    await gw?.stop()
    await influxd?.stop()
  })

  it('records motion and heartbeats in InfluxDB, also across an InfluxDB outage', async () => {
    expect(gw.telemetry.kind).toBe('influxdb')
    const { homeId } = await seedHome(gw)
    const sensor = await addDevice(gw, homeId)
    const client = await connectDevice(gw.urls.mqtt, sensor)
    const start = Date.now() - 1000
    await client.publishAsync(`anju/v1/dev/${sensor.id}/motion`, JSON.stringify({ motion: true }), { qos: 1 })
    await gw.telemetry.flush()

    await influxd.pause()
    await client.publishAsync(`anju/v1/dev/${sensor.id}/motion`, JSON.stringify({ motion: false }), { qos: 1 })
    await client.publishAsync(`anju/v1/dev/${sensor.id}/motion`, JSON.stringify({ motion: true, ts: Date.now() + 5 }), { qos: 1 })
    await client.publishAsync(`anju/v1/dev/${sensor.id}/status`, JSON.stringify({ battery: 55 }), { qos: 1 })
    await gw.telemetry.flush()
    await waitFor(() => gw.telemetry.stats().spooled > 0, 10_000, 'points spooled while InfluxDB is down')
    const metrics = (await gw.http.inject({ url: '/metrics' })).body
    expect(metrics).toMatch(/anju_telemetry_spool_points [1-9]/)

    await influxd.restart()
    await waitFor(() => gw.telemetry.stats().spooled === 0, 20_000, 'spool drained')
    const events = await gw.telemetry.activityEvents(homeId, { from: start, to: Date.now() + 1000 })
    expect(events).toHaveLength(2)
    await client.endAsync()
  })
})
