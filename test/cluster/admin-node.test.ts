// The gateway where clerks register devices, in a cluster with Mosquitto (docs/cluster.md): with
// ANJU_DYNSEC_URL set, each device's credentials reach Mosquitto's dynamic security as they are issued
// through the ordinary admin API, and a revocation shuts the device out of the broker.
import mqtt from 'mqtt'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeWithMosquitto, startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts'
import { addDevice, seedHome, startGateway, type TestGateway } from '../helpers/start-gateway.ts'
import { waitUntil } from './cluster-harness.ts'

const ADMIN = { adminUser: 'anju-admin', adminPassword: 'dynsec-admin-password-0123' }

describeWithMosquitto('an admin gateway provisioning Mosquitto', () => {
  let broker: Mosquitto
  let gw: TestGateway

  beforeAll(async () => {
    broker = await startMosquitto({ dynsec: ADMIN })
    gw = await startGateway({ dynsec: { url: broker.url, username: ADMIN.adminUser, password: ADMIN.adminPassword } })
  })
  afterAll(async () => {
    await gw?.stop()
    await broker?.stop()
  })

  const connects = async (id: string, secret: string): Promise<boolean> => {
    try {
      const client = await mqtt.connectAsync(broker.url, { clientId: id, username: id, password: secret, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5_000 })
      await client.endAsync(true)
      return true
    } catch {
      return false
    }
  }

  it('lets a device registered through the admin API into Mosquitto, and no longer once it is revoked', async () => {
    const { homeId } = await seedHome(gw)
    const device = await addDevice(gw, homeId)
    await waitUntil(async () => await connects(device.id, device.secret), 10_000, 'the new device connecting to Mosquitto')
    expect(await connects(device.id, 'not-the-secret')).toBe(false)
    const revoked = await gw.api('POST', `/api/v1/devices/${device.id}/revoke`)
    expect(revoked.status).toBe(200)
    await waitUntil(async () => !await connects(device.id, device.secret), 10_000, 'the revoked device refused by Mosquitto')
  })
})
