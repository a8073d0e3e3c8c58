// A device provisioned with the CLI on the data dir of a running gateway connects over MQTT at once;
// revoking it through the gateway's admin API (--url) cuts the open connection, while revoking it in the
// database alone only refuses the next connect (the limitation docs/cli.md describes).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt, { type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway } from '../../helpers/start-gateway.ts'
import { cliHome, cliJson, runCli } from './run-cli.ts'

interface Credentials { id: string, secret: string }

// CONNACK return codes, MQTT 3.1.1 table 3.1.
const BAD_USERNAME_OR_PASSWORD = 4
const NOT_AUTHORIZED = 5

describe('anju CLI with a running gateway', () => {
  let gw: TestGateway
  let dataDir: string
  let homeId: string
  const clients: MqttClient[] = []

  const connect = async (c: Credentials): Promise<MqttClient> => {
    const client = await mqtt.connectAsync(gw.urls.mqtt, { clientId: c.id, username: c.id, password: c.secret, protocolVersion: 4, reconnectPeriod: 0 })
    clients.push(client)
    return client
  }
  const closed = (client: MqttClient): Promise<void> => new Promise((resolve) => client.once('close', () => resolve()))

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'anju-cli-gw-'))
    gw = await startGateway({ dataDir })
    homeId = (await cliHome(dataDir)).homeId
  })
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)))
    await gw?.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('a sensor registered by the CLI connects and reports; its health shows in `device list`', async () => {
    const sensor = await cliJson<Credentials>(dataDir, ['device', 'add', '--home', homeId])
    const client = await connect(sensor)
    expect(client.connected).toBe(true)
    await client.publishAsync(`anju/v1/dev/${sensor.id}/status`, JSON.stringify({ battery: 77, online: true }), { qos: 1 })
    // Ingest flushes device health to SQLite every 100 ms in tests; the CLI reads it from there.
    await new Promise((resolve) => setTimeout(resolve, 300))
    const devices = await cliJson<Array<{ id: string, battery: number | null, online: boolean | null }>>(dataDir, ['device', 'list', '--home', homeId])
    expect(devices.find((d) => d.id === sensor.id)).toMatchObject({ battery: 77, online: true })
  })

  it('a wrong secret is refused', async () => {
    const sensor = await cliJson<Credentials>(dataDir, ['device', 'add', '--home', homeId])
    await expect(connect({ id: sensor.id, secret: sensor.secret.slice(1) + 'A' })).rejects.toMatchObject({ code: BAD_USERNAME_OR_PASSWORD })
  })

  it('revoke --url disconnects the device at once and refuses it afterwards', async () => {
    const sensor = await cliJson<Credentials>(dataDir, ['device', 'add', '--home', homeId])
    const client = await connect(sensor)
    const gone = closed(client)
    // No --token: the CLI finds the token the gateway generated in the shared data dir.
    const res = await runCli(dataDir, ['device', 'revoke', sensor.id, '--url', gw.urls.http, '--json'])
    expect(res.code, res.stderr).toBe(0)
    expect(JSON.parse(res.stdout)).toMatchObject({ id: sensor.id, revokedAt: expect.any(Number) })
    await gone
    await expect(connect(sensor)).rejects.toMatchObject({ code: NOT_AUTHORIZED })
  })

  it('revoke without --url refuses the next connect but leaves an open connection up', async () => {
    const sensor = await cliJson<Credentials>(dataDir, ['device', 'add', '--home', homeId])
    const client = await connect(sensor)
    const res = await runCli(dataDir, ['device', 'revoke', sensor.id])
    expect(res.code, res.stderr).toBe(0)
    expect(res.stderr).toContain('Use --url')
    // If the gateway ever learns to watch the database for revocations, update docs/cli.md and this test.
    expect(client.connected).toBe(true)
    await expect(connect(sensor)).rejects.toMatchObject({ code: NOT_AUTHORIZED })
  })

  it('rotate --url issues a secret that works and retires the old one', async () => {
    const sensor = await cliJson<Credentials>(dataDir, ['device', 'add', '--home', homeId])
    const rotated = await cliJson<Credentials>(dataDir, ['device', 'rotate', sensor.id, '--url', gw.urls.http])
    expect(rotated.id).toBe(sensor.id)
    expect(rotated.secret).not.toBe(sensor.secret)
    await expect(connect(sensor)).rejects.toMatchObject({ code: BAD_USERNAME_OR_PASSWORD })
    expect((await connect(rotated)).connected).toBe(true)
  })

  it('a wrong --token is refused by the gateway', async () => {
    const res = await runCli(dataDir, ['device', 'list', '--url', gw.urls.http, '--token', 'x'.repeat(43)])
    expect(res.code).toBe(1)
    expect(res.stderr).toContain('admin token')
  })
})
