// The simulator against a real gateway: provisioning over the admin HTTP API, real MQTT, native
// sensors and a Zigbee2MQTT hub, a few real seconds at 300× (five simulated minutes a second).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ActivityEvent } from '../../src/events.ts'
import type { Device } from '../../src/registry-schemas.ts'
import type { DevicesFile } from '../../device-sim/devices-file.ts'
import { mqttLinkFactory } from '../../device-sim/mqtt-link.ts'
import { AdminApi, provisionVillage } from '../../device-sim/provision.ts'
import { RealtimeScheduler } from '../../device-sim/sim-time.ts'
import { SimStats } from '../../device-sim/stats.ts'
import { VillageSim } from '../../device-sim/village-sim.ts'
import { planVillage } from '../../device-sim/village-plan.ts'
import { metricValue, waitFor } from '../helpers/mqtt-client.ts'
import { startGateway, type TestGateway } from '../helpers/start-gateway.ts'

// A fixed morning, so the (seeded) residents are up, having breakfast and pottering about.
const START = Date.parse('2025-03-03T07:30:00+08:00')

describe('simulated village against a real gateway', () => {
  let gw: TestGateway
  let sim: VillageSim | undefined
  let file: DevicesFile
  const activity: ActivityEvent[] = []

  beforeAll(async () => {
    gw = await startGateway()
    gw.bus.on('activity', (e) => activity.push(e))
    const plan = planVillage({ seed: 42, homes: 3, hubRatio: 0.34, grids: 1, labelPrefix: '山下庄' })
    file = await provisionVillage(new AdminApi(gw.urls.http, gw.adminToken), { villageName: '山下庄村', gridNames: ['第一网格'], plan, seed: 42, people: true })
  })

  afterAll(async () => {
    await sim?.stop()
    await gw?.stop()
  })

  it('provisions, connects and reports activity from native sensors and a hub sensor', async () => {
    expect(file.homes.map((h) => h.kind).sort()).toEqual(['hub', 'native', 'native'])
    const stats = new SimStats()
    sim = new VillageSim({
      file,
      seed: 42,
      scheduler: new RealtimeScheduler(START, 300),
      links: mqttLinkFactory({ url: gw.urls.mqtt, stats }),
      stats,
      includeTs: false
    })
    await sim.start()
    const nativeIds = file.homes.flatMap((h) => h.kind === 'native' ? h.sensors.map((s) => s.id) : [])
    const hubHome = file.homes.find((h) => h.kind === 'hub')
    if (hubHome?.kind !== 'hub') throw new Error('no hub home')
    expect(stats.connected).toBe(nativeIds.length + 1)

    const devices = async (): Promise<Device[]> => (await gw.api<Device[]>('GET', '/api/v1/devices')).body
    // Every native sensor and the hub connected and online; every Zigbee sensor registered by its first report.
    const listed = await waitFor(async () => {
      const list = await devices()
      const live = (d: Device | undefined): boolean => d?.online === true && d.connected
      // A native sensor's first heartbeat carries its firmware and battery.
      const beating = (d: Device | undefined): boolean => d?.fw === 'sim-1.0' && typeof d.battery === 'number'
      const hubSensors = list.filter((d) => d.kind === 'hub-sensor' && d.hubId === hubHome.hub.id)
      return nativeIds.every((id) => live(list.find((d) => d.id === id)) && beating(list.find((d) => d.id === id))) &&
        live(list.find((d) => d.id === hubHome.hub.id)) &&
        hubSensors.length === hubHome.sensors.length && hubSensors.every((d) => d.online === true)
        ? list
        : undefined
    }, 20_000, 'devices online')
    const kindOf = new Map(listed.map((d) => [d.id, d.kind]))

    // Activity from both paths of protocol v1: a native motion topic and a Zigbee2MQTT occupancy message.
    await waitFor(() => activity.some((e) => kindOf.get(e.deviceId) === 'sensor'), 30_000, 'activity from a native sensor')
    await waitFor(() => activity.some((e) => kindOf.get(e.deviceId) === 'hub-sensor'), 30_000, 'activity from a hub sensor')
    expect(activity.every((e) => file.homes.some((h) => h.homeId === e.homeId))).toBe(true)
    expect(stats.sent.status).toBeGreaterThan(0)

    // Everything the simulator sent was valid protocol v1: the gateway dropped nothing.
    const metrics = await gw.metrics.registry.metrics()
    for (const reason of ['malformed_json', 'invalid_payload', 'unknown_topic', 'rate_limited', 'too_many_sensors']) {
      expect(await metricValue(metrics, 'anju_messages_dropped_total', { reason }), reason).toBe(0)
    }
    expect(await metricValue(metrics, 'anju_mqtt_connected_devices', { kind: 'sensor' })).toBe(nativeIds.length)

    await sim.stop()
    expect(stats.connected).toBe(0)
    await waitFor(async () => (await devices()).filter((d) => d.kind !== 'hub-sensor').every((d) => !d.connected), 10_000, 'clean disconnects')
  })
})
