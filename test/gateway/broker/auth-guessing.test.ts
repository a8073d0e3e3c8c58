// Secret guessing at CONNECT is limited per (address, device id) and per address; a locked-out attempt
// is refused with CONNACK 3 even when its secret is right, so a guess that lands teaches nothing.
import { afterEach, describe, expect, it } from 'vitest'
import { addDevice, seedHome, startGateway, type TestGateway } from '../../helpers/start-gateway.ts'
import { connackCode, connectDevice, metricValue } from '../../helpers/mqtt-client.ts'

describe('MQTT secret guessing', () => {
  let gw: TestGateway | undefined
  afterEach(async () => { await gw?.stop(); gw = undefined })

  it('locks one device id from one address after its failures, not the other devices behind that address', async () => {
    gw = await startGateway({ mqtt: { authFailuresPerDevice: 5, authFailuresPerAddress: 1000, authFailureWindowMs: 60_000 } })
    const { homeId } = await seedHome(gw)
    const target = await addDevice(gw, homeId)
    const neighbour = await addDevice(gw, homeId)
    const guesses = []
    for (let i = 0; i < 5; i++) guesses.push(await connackCode(gw.urls.mqtt, { clientId: target.id, username: target.id, password: `guess-${i}` }))
    expect(guesses).toEqual([4, 4, 4, 4, 4])
    // The right secret is refused too while the lock lasts: the attacker cannot tell a hit.
    expect(await connackCode(gw.urls.mqtt, { clientId: target.id, username: target.id, password: target.secret })).toBe(3)
    expect(await metricValue(gw.metrics.registry.metrics(), 'anju_mqtt_auth_failures_total', { reason: 'auth_rate_limited' })).toBe(1)
    // A sensor sharing the village's NAT address still connects.
    const other = await connectDevice(gw.urls.mqtt, neighbour)
    expect(other.connected).toBe(true)
    await other.endAsync()
  })

  it('locks an address that sprays many ids, and lets it in again when the window ends', async () => {
    gw = await startGateway({ mqtt: { authFailuresPerDevice: 1000, authFailuresPerAddress: 8, authFailureWindowMs: 1500 } })
    const { homeId } = await seedHome(gw)
    const device = await addDevice(gw, homeId)
    for (let i = 0; i < 8; i++) expect(await connackCode(gw.urls.mqtt, { clientId: `dev-spray-${i}`, username: `dev-spray-${i}`, password: 'x' })).toBe(4)
    expect(await connackCode(gw.urls.mqtt, { clientId: device.id, username: device.id, password: device.secret })).toBe(3)
    await new Promise((resolve) => setTimeout(resolve, 1600))
    const client = await connectDevice(gw.urls.mqtt, device)
    expect(client.connected).toBe(true)
    await client.endAsync()
  })
})
