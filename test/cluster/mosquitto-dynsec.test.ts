// The registry pushed into a real Mosquitto's dynamic security plugin: provisioned devices log in with
// their secret and stay on their own topics (device protocol v1 ACL, as src/acl.ts), everything else is
// refused; re-keying and removal take effect at once; DeviceAdmin reports a broker it could not update.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt, { type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DynsecProvisioner } from '../../gateway/cluster/mosquitto-dynsec.ts'
import { createLogger } from '../../gateway/logger.ts'
import { DeviceAdmin } from '../../gateway/registry/device-admin.ts'
import { runCli } from '../gateway/cli/run-cli.ts'
import { closed, connackCode, connectDevice, deviceOptions, waitFor } from '../helpers/mqtt-client.ts'
import { describeWithMosquitto, startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts'
import { freePort } from '../helpers/system-service.ts'
import { seedHome, startGateway, type TestGateway } from '../helpers/start-gateway.ts'

const ADMIN = { adminUser: 'anju-admin', adminPassword: randomBytes(12).toString('hex') }
const WORKER = { username: 'anju-worker', password: randomBytes(12).toString('hex') }
// CONNACK return codes, MQTT 3.1.1 table 3.1.
const NOT_AUTHORIZED = 5
const log = createLogger('silent')
const secret = (): string => randomBytes(32).toString('base64url')

describeWithMosquitto('Mosquitto dynamic security provisioning', () => {
  let broker: Mosquitto
  let provisioner: DynsecProvisioner
  let worker: MqttClient
  const seen: Array<{ topic: string, payload: string }> = []
  const opened: MqttClient[] = []

  beforeAll(async () => {
    broker = await startMosquitto({ dynsec: ADMIN })
    provisioner = new DynsecProvisioner({ url: broker.url, username: ADMIN.adminUser, password: ADMIN.adminPassword, log })
    // An operator-edited plugin file that allows everything by default: the provisioner must close it.
    const [answer] = await provisioner.request([{ command: 'setDefaultACLAccess', acls: [{ acltype: 'publishClientSend', allow: true }, { acltype: 'subscribe', allow: true }] }])
    expect(answer?.error).toBeUndefined()
    await provisioner.ensureWorkerRole(WORKER.username, WORKER.password)
    worker = await mqtt.connectAsync(broker.url, { ...WORKER, clientId: 'worker-probe', protocolVersion: 4, reconnectPeriod: 0 })
    worker.on('message', (topic, payload) => seen.push({ topic, payload: payload.toString() }))
    await worker.subscribeAsync('anju/v1/#', { qos: 1 })
  })
  afterAll(async () => {
    await Promise.all(opened.map(async (c) => { await c.endAsync(true) }))
    await worker?.endAsync(true)
    await provisioner?.close()
    await broker?.stop()
  })

  async function device (id: string, kind: 'sensor' | 'hub' = 'sensor'): Promise<{ id: string, secret: string }> {
    const login = { id, secret: secret() }
    await provisioner.upsertDevice({ id, kind, secret: login.secret })
    return login
  }
  async function connect (login: { id: string, secret: string }): Promise<MqttClient> {
    const client = await connectDevice(broker.url, login)
    opened.push(client)
    return client
  }
  /** Publish a marker on the device's own motion topic and wait until the worker has it: anything sent before it arrived before. */
  async function flush (client: MqttClient, id: string): Promise<void> {
    const marker = JSON.stringify({ motion: false, ts: Date.now(), marker: randomBytes(4).toString('hex') })
    await client.publishAsync(`anju/v1/dev/${id}/motion`, marker, { qos: 1 })
    await waitFor(() => seen.some((m) => m.payload === marker), 5000, 'the marker at the worker')
  }

  it('a provisioned sensor connects with its secret and its motion reaches the worker', async () => {
    const login = await device('sensor-a1')
    const client = await connect(login)
    await client.publishAsync('anju/v1/dev/sensor-a1/motion', '{"motion":true}', { qos: 1 })
    await client.publishAsync('anju/v1/dev/sensor-a1/status', '{"battery":80}', { qos: 1 })
    await waitFor(() => seen.some((m) => m.topic === 'anju/v1/dev/sensor-a1/status'), 5000, 'the status at the worker')
    expect(seen.filter((m) => m.topic.startsWith('anju/v1/dev/sensor-a1/')).map((m) => m.payload)).toEqual(['{"motion":true}', '{"battery":80}'])
  })

  it('refuses a wrong secret, an unknown device, no credentials, and the right secret under another client id', async () => {
    const login = await device('sensor-a2')
    expect(await connackCode(broker.url, deviceOptions({ id: login.id, secret: secret() }))).toBe(NOT_AUTHORIZED)
    expect(await connackCode(broker.url, deviceOptions({ id: 'sensor-nobody', secret: login.secret }))).toBe(NOT_AUTHORIZED)
    expect(await connackCode(broker.url, { clientId: 'anonymous-1' })).toBe(NOT_AUTHORIZED)
    expect(await connackCode(broker.url, { ...deviceOptions(login), clientId: 'sensor-other' })).toBe(NOT_AUTHORIZED)
    expect(await connackCode(broker.url, deviceOptions(login))).toBe(0)
  })

  it('a sensor cannot publish under another device, to its own config, or subscribe beyond its config', async () => {
    const login = await device('sensor-a3')
    await device('sensor-a4')
    const client = await connect(login)
    for (const topic of ['anju/v1/dev/sensor-a4/motion', 'anju/v1/dev/sensor-a3/config', 'anju/v1/dev/sensor-a3/other', 'anju/v1/hub/sensor-a3/x', 'anju/v1/push/fam-1', 'elsewhere']) {
      await client.publishAsync(topic, '{"motion":true}', { qos: 1 }) // Mosquitto acknowledges and drops it
    }
    await flush(client, login.id)
    expect(seen.filter((m) => m.topic === 'anju/v1/dev/sensor-a4/motion' || m.topic.startsWith('anju/v1/dev/sensor-a3/c') ||
      m.topic.startsWith('anju/v1/dev/sensor-a3/o') || m.topic.startsWith('anju/v1/hub/') || m.topic.startsWith('anju/v1/push/'))).toEqual([])
    for (const filter of ['#', 'anju/v1/#', 'anju/v1/dev/+/motion', 'anju/v1/dev/sensor-a4/config', 'anju/v1/push/#', '$share/g/anju/v1/#', '$SYS/#', '$CONTROL/dynamic-security/v1/response']) {
      await expect(client.subscribeAsync(filter, { qos: 1 }), filter).rejects.toThrow(/Subscribe error/)
    }
    expect(await client.subscribeAsync('anju/v1/dev/sensor-a3/config', { qos: 1 })).toEqual([{ topic: 'anju/v1/dev/sensor-a3/config', qos: 1 }])
  })

  it('a sensor receives the retained config the worker publishes, and only its own', async () => {
    const login = await device('sensor-a5')
    await worker.publishAsync('anju/v1/dev/sensor-a5/config', '{"heartbeatSec":60}', { qos: 1, retain: true })
    const client = await connect(login)
    const got: string[] = []
    client.on('message', (topic, payload) => got.push(`${topic} ${payload.toString()}`))
    await client.subscribeAsync('anju/v1/dev/sensor-a5/config', { qos: 1 })
    await waitFor(() => got.length > 0, 5000, 'the retained config')
    expect(got).toEqual(['anju/v1/dev/sensor-a5/config {"heartbeatSec":60}'])
  })

  it('a hub publishes and subscribes under its own prefix only', async () => {
    const login = await device('hub-b1', 'hub')
    const client = await connect(login)
    await client.subscribeAsync(['anju/v1/hub/hub-b1/#', 'anju/v1/hub/hub-b1/bridge/request/#', 'anju/v1/hub/hub-b1/+/set'], { qos: 1 })
    await expect(client.subscribeAsync('anju/v1/hub/#', { qos: 1 })).rejects.toThrow(/Subscribe error/)
    await expect(client.subscribeAsync('anju/v1/hub/hub-b2/#', { qos: 1 })).rejects.toThrow(/Subscribe error/)
    await expect(client.subscribeAsync('anju/v1/push/#', { qos: 1 })).rejects.toThrow(/Subscribe error/)
    await client.publishAsync('anju/v1/hub/hub-b2/kitchen', '{"occupancy":true}', { qos: 1 })
    await client.publishAsync('anju/v1/dev/hub-b1/motion', '{"motion":true}', { qos: 1 })
    await client.publishAsync('anju/v1/hub/hub-b1/kitchen', '{"occupancy":true}', { qos: 1 })
    await waitFor(() => seen.some((m) => m.topic === 'anju/v1/hub/hub-b1/kitchen'), 5000, 'the hub message')
    expect(seen.filter((m) => m.topic === 'anju/v1/hub/hub-b2/kitchen' || m.topic === 'anju/v1/dev/hub-b1/motion')).toEqual([])
  })

  it('denies sending and subscribing by default: a client with no role can do neither', async () => {
    const [answer] = await provisioner.request([{ command: 'getDefaultACLAccess' }])
    expect(answer?.data).toEqual({ acls: expect.arrayContaining([{ acltype: 'publishClientSend', allow: false }, { acltype: 'subscribe', allow: false }]) })
    const login = { id: 'sensor-norole', secret: secret() }
    const [created] = await provisioner.request([{ command: 'createClient', username: login.id, password: login.secret }])
    expect(created?.error).toBeUndefined()
    const client = await connect(login)
    await expect(client.subscribeAsync('anju/v1/dev/sensor-norole/config', { qos: 1 })).rejects.toThrow(/Subscribe error/)
    await client.publishAsync('anju/v1/dev/sensor-norole/motion', '{"motion":true}', { qos: 1 })
    const probe = await connect(await device('sensor-a6'))
    await flush(probe, 'sensor-a6')
    expect(seen.filter((m) => m.topic.includes('sensor-norole'))).toEqual([])
  })

  it('a removed device is disconnected and cannot connect again; removing twice is fine', async () => {
    const login = await device('sensor-a7')
    const client = await connect(login)
    const gone = closed(client)
    await provisioner.removeDevice(login.id)
    await gone
    expect(await connackCode(broker.url, deviceOptions(login))).toBe(NOT_AUTHORIZED)
    await provisioner.removeDevice(login.id)
    const [role] = await provisioner.request([{ command: 'getRole', rolename: 'anju-device-sensor-a7' }])
    expect(role?.error).toBe('Role not found')
  })

  it('a re-keyed device is disconnected and needs the new secret; upserting again is idempotent', async () => {
    const old = await device('sensor-a8')
    const client = await connect(old)
    const gone = closed(client)
    const fresh = { id: old.id, secret: secret() }
    await provisioner.upsertDevice({ id: fresh.id, kind: 'sensor', secret: fresh.secret })
    await gone
    expect(await connackCode(broker.url, deviceOptions(old))).toBe(NOT_AUTHORIZED)
    await provisioner.upsertDevice({ id: fresh.id, kind: 'sensor', secret: fresh.secret })
    const again = await connect(fresh)
    await flush(again, fresh.id)
  })

  it('a request to a broker that does not answer fails with a clear error', async () => {
    const port = await freePort()
    const nowhere = new DynsecProvisioner({ url: `mqtt://127.0.0.1:${port}`, username: 'anju-admin', password: 'x', log, timeoutMs: 300 })
    try {
      await expect(nowhere.upsertDevice({ id: 'sensor-x1', kind: 'sensor', secret: secret() }))
        .rejects.toThrow(/dynamic security: no answer to setDefaultACLAccess, createRole, createClient from mqtt:\/\/127\.0\.0\.1:\d+ within 300 ms/)
    } finally {
      await nowhere.close()
    }
  })

  it('`anju cluster worker-login` creates a worker login that reads uplinks and publishes MQTT push', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'anju-worker-login-'))
    const login = { username: 'anju-worker-2', password: randomBytes(12).toString('hex') }
    try {
      const env = { ANJU_DYNSEC_URL: broker.url, ANJU_DYNSEC_USERNAME: ADMIN.adminUser, ANJU_DYNSEC_PASSWORD: ADMIN.adminPassword, ANJU_CLUSTER_BROKER_USERNAME: login.username }
      const refused = await runCli(dataDir, ['cluster', 'worker-login'], env)
      expect(refused.code).not.toBe(0)
      expect(refused.stderr).toContain('ANJU_CLUSTER_BROKER_PASSWORD')
      const made = await runCli(dataDir, ['cluster', 'worker-login', '--json'], { ...env, ANJU_CLUSTER_BROKER_PASSWORD: login.password })
      expect(made.code, made.stderr).toBe(0)
      expect(JSON.parse(made.stdout)).toEqual({ username: login.username, role: 'anju-worker' })
      expect(made.stdout + made.stderr).not.toContain(login.password)

      const second = await mqtt.connectAsync(broker.url, { ...login, clientId: 'worker-login-probe', protocolVersion: 4, reconnectPeriod: 0 })
      opened.push(second)
      const granted = await second.subscribeAsync('$share/anju/anju/v1/dev/+/status', { qos: 1 })
      expect(granted.map((g) => g.qos)).toEqual([1])
      const marker = randomBytes(4).toString('hex')
      await second.publishAsync('anju/v1/push/fam-login', JSON.stringify({ marker }), { qos: 1 })
      await waitFor(() => seen.some((m) => m.topic === 'anju/v1/push/fam-login' && m.payload.includes(marker)))
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  })

  describe('through DeviceAdmin', () => {
    let gw: TestGateway
    let homeId: string
    beforeAll(async () => {
      gw = await startGateway()
      homeId = (await seedHome(gw)).homeId
    })
    afterAll(async () => { await gw?.stop() })

    it('register, rotate and revoke update the broker', async () => {
      const admin = new DeviceAdmin(gw.devices, gw.broker, gw.ingest, { provisioner, log })
      const creds = admin.register('sensor', { homeId, id: 'sensor-c1' })
      expect(await admin.brokerSync(creds.id)).toEqual({ ok: true })
      const client = await connect(creds)
      await flush(client, creds.id)

      const gone = closed(client)
      const rotated = admin.rotateSecret(creds.id)
      expect(await admin.brokerSync(creds.id)).toEqual({ ok: true })
      await gone
      expect(await connackCode(broker.url, deviceOptions(creds))).toBe(NOT_AUTHORIZED)
      expect(await connackCode(broker.url, deviceOptions(rotated))).toBe(0)

      admin.revoke(creds.id)
      expect(await admin.brokerSync(creds.id)).toEqual({ ok: true })
      expect(await connackCode(broker.url, deviceOptions(rotated))).toBe(NOT_AUTHORIZED)
      expect(admin.brokerFailures()).toEqual([])
    })

    it('a broker it cannot reach: the registration stands, the failure is reported and kept until a retry succeeds', async () => {
      const port = await freePort()
      const nowhere = new DynsecProvisioner({ url: `mqtt://127.0.0.1:${port}`, username: 'anju-admin', password: 'x', log, timeoutMs: 300 })
      try {
        // The same admin throughout; the broker it reaches is switched underneath (down, then up).
        let target = nowhere
        const down = new DeviceAdmin(gw.devices, gw.broker, gw.ingest, {
          log,
          provisioner: { upsertDevice: async (d) => { await target.upsertDevice(d) }, removeDevice: async (id) => { await target.removeDevice(id) } }
        })
        const creds = down.register('hub', { homeId, id: 'hub-c2' })
        expect(creds.secret).toMatch(/.{20,}/)
        expect(gw.devices.get('hub-c2')?.revokedAt).toBeNull()
        const sync = await down.brokerSync(creds.id)
        expect(sync).toMatchObject({ ok: false, deviceId: 'hub-c2', operation: 'upsert', error: expect.stringMatching(/no answer/) })
        expect(JSON.stringify(sync)).not.toContain(creds.secret)
        expect(down.brokerFailures()).toHaveLength(1)

        // The remedy the error points to: rotate the secret once the broker is back.
        target = provisioner
        const rotated = down.rotateSecret(creds.id)
        expect(await down.brokerSync(creds.id)).toEqual({ ok: true })
        expect(down.brokerFailures()).toEqual([])
        expect(await connackCode(broker.url, deviceOptions(rotated))).toBe(0)
      } finally {
        await nowhere.close()
      }
    })
  })
})
