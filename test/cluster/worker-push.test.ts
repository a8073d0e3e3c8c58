// MQTT push from a cluster worker (started in process, as worker-main.ts does) through a real Mosquitto with
// dynamic security: an `mqtt` row in the shared PostgreSQL outbox reaches an app subscribed to
// anju/v1/push/<contactId> exactly once, with the machine body; a device can neither subscribe nor publish
// there; and while the worker's broker connection is cut, or silently loses what it sends, the row is
// retried with backoff, not lost, and still arrives once.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt, { type MqttClient } from 'mqtt'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Notification } from '../../src/alerts.ts'
import { systemClock } from '../../src/clock.ts'
import { FixedThresholds } from '../../src/escalation/fixed-thresholds.ts'
import { DynsecProvisioner } from '../../gateway/cluster/mosquitto-dynsec.ts'
import { PgOutboxQueue } from '../../gateway/cluster/pg/pg-outbox-queue.ts'
import { migratePostgres } from '../../gateway/cluster/pg/pg-schema.ts'
import { pushRegistry } from '../../gateway/cluster/pg/registry-sync.ts'
import { startWorker, type ClusterWorker } from '../../gateway/cluster/worker.ts'
import { parseConfig } from '../../gateway/config/load-config.ts'
import { openDatabase } from '../../gateway/db/open-database.ts'
import { createLogger } from '../../gateway/logger.ts'
import { ContactChannels } from '../../gateway/notify/contact-channels.ts'
import { DeviceStore } from '../../gateway/registry/device-store.ts'
import { PlacesStore } from '../../gateway/registry/places-store.ts'
import { connectDevice, waitFor } from '../helpers/mqtt-client.ts'
import { mosquittoAvailable, startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts'
import { postgresAvailable, startPostgres, type Postgres } from '../helpers/postgres.ts'
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.ts'
import { describeWithService, freePort } from '../helpers/system-service.ts'

const ADMIN = { adminUser: 'anju-admin', adminPassword: randomBytes(12).toString('hex') }
const WORKER = { username: 'anju-worker', password: randomBytes(12).toString('hex') }
const APP = { username: 'app-fam-1', password: randomBytes(12).toString('hex') }
const log = createLogger('silent')

const requirement = {
  service: 'redis-server, postgresql and mosquitto',
  available: () => redisAvailable() && postgresAvailable() && mosquittoAvailable(),
  installHint: 'apt-get install redis-server postgresql mosquitto'
}

/**
 * A TCP relay between the worker and Mosquitto, for the network faults a test needs: `cut` closes every
 * connection and refuses new ones until `restore`; `hold` keeps connections open but drops what the worker
 * sends (a path that silently loses packets), until they are cut.
 */
interface Link { url: string, cut(): Promise<void>, restore(): Promise<void>, hold(): void }

async function link (target: number): Promise<Link> {
  const port = await freePort()
  const sockets = new Set<Socket>()
  let server: Server | undefined
  let held = false
  const open = async (): Promise<void> => {
    held = false
    const s = server = createServer((down) => {
      const up = connect(target, '127.0.0.1')
      for (const socket of [down, up]) {
        sockets.add(socket)
        socket.on('close', () => { sockets.delete(socket); down.destroy(); up.destroy() })
        socket.on('error', () => { down.destroy(); up.destroy() })
      }
      down.on('data', (chunk: Buffer) => { if (!held) up.write(chunk) })
      up.pipe(down)
    })
    await new Promise<void>((resolve, reject) => { s.once('error', reject); s.listen(port, '127.0.0.1', resolve) })
  }
  await open()
  return {
    url: `mqtt://127.0.0.1:${port}`,
    async cut () {
      const s = server
      server = undefined
      const closed = new Promise<void>((resolve) => s?.close(() => resolve()) ?? resolve())
      for (const socket of sockets) socket.destroy()
      await closed
    },
    restore: open,
    hold () { held = true }
  }
}

describeWithService(requirement, 'MQTT push from a cluster worker', () => {
  let postgres: Postgres
  let redis: RedisServer
  let broker: Mosquitto
  let pool: pg.Pool
  let provisioner: DynsecProvisioner
  let relay: Link
  let worker: ClusterWorker
  let app: MqttClient
  let dataDir: string
  let homeId: string
  let device: { id: string, secret: string }
  const pushes: Array<{ topic: string, qos: number, retain: boolean, body: Record<string, unknown> }> = []
  const opened: MqttClient[] = []

  const alert = (n: number): Notification =>
    ({ alertId: `al-${n}`, recipient: 'fam-1', channel: 'mqtt', kind: 'alert', text: `山下庄 12号 已 3 小时没有活动 (${n})`, data: { homeId, n } })
  const row = async (id: number): Promise<Record<string, unknown>> =>
    (await pool.query('SELECT attempts, delivered_at, dead_at, next_attempt_at, last_error FROM outbox WHERE id = $1', [id])).rows[0] as Record<string, unknown>
  /** Queued as PgAlertLog commits a transition's rows: an INSERT that NOTIFYs every worker. */
  const enqueue = async (n: Notification): Promise<number> => await new PgOutboxQueue(pool).insert(n, Date.now()) as number

  beforeAll(async () => {
    [postgres, redis, broker] = await Promise.all([startPostgres(), startRedis(), startMosquitto({ dynsec: ADMIN })])
    pool = new pg.Pool({ connectionString: postgres.url, max: 4 })
    await migratePostgres(pool)

    // The registry as the admin node pushes it: a family contact whose one channel is MQTT push, and a sensor.
    dataDir = mkdtempSync(join(tmpdir(), 'anju-worker-push-'))
    const admin = openDatabase(join(dataDir, 'admin'))
    const places = new PlacesStore(admin, systemClock)
    const village = places.createVillage({ name: '山下庄村' })
    const grid = places.createGrid({ villageId: village.id, name: '第一网格' })
    homeId = places.createHome({ gridId: grid.id, label: '山下庄 12号' }).id
    places.createContact({ id: 'fam-1', homeId, name: '王小明', phone: '13800000001', role: 'family' })
    new ContactChannels(admin, systemClock).replace('fam-1', [{ channel: 'mqtt', enabled: true, config: {} }])
    const sensor = new DeviceStore(admin, systemClock).register('sensor', { homeId })
    device = { id: sensor.id, secret: sensor.secret }
    await pushRegistry(pool, admin)
    admin.close()

    provisioner = new DynsecProvisioner({ url: broker.url, username: ADMIN.adminUser, password: ADMIN.adminPassword, log })
    await provisioner.ensureWorkerRole(WORKER.username, WORKER.password)
    await provisioner.upsertDevice({ id: device.id, kind: 'sensor', secret: device.secret })
    // No app credentials exist yet (docs/notifications.md): this login has the one rule an app would need,
    // "subscribe to my contact's push topic", and nothing else.
    const answers = await provisioner.request([
      { command: 'createRole', rolename: 'app-fam-1', acls: [{ acltype: 'subscribeLiteral', topic: 'anju/v1/push/fam-1', allow: true }] },
      { command: 'createClient', username: APP.username, password: APP.password, roles: [{ rolename: 'app-fam-1' }] }
    ])
    expect(answers.map((a) => a.error)).toEqual([undefined, undefined])
    app = await mqtt.connectAsync(broker.url, { ...APP, clientId: 'app-fam-1', protocolVersion: 4, reconnectPeriod: 0 })
    app.on('message', (topic, payload, packet) => pushes.push({ topic, qos: packet.qos, retain: packet.retain, body: JSON.parse(payload.toString()) as Record<string, unknown> }))
    expect(await app.subscribeAsync('anju/v1/push/fam-1', { qos: 1 })).toEqual([{ topic: 'anju/v1/push/fam-1', qos: 1 }])

    relay = await link(broker.port)
    const config = parseConfig({
      dataDir: join(dataDir, 'worker'),
      logLevel: 'silent',
      adminToken: randomBytes(24).toString('hex'),
      http: { host: '127.0.0.1', port: 0 },
      // Retries every ~0.1–1 s, so the cut-link test does not wait out production backoff.
      notify: { ackLinkKey: 'a'.repeat(64), retryBaseMs: 200, retryMaxDelayMs: 1000, timeoutMs: 2000 },
      cluster: {
        workerId: 'push-1', partitions: 4, redisUrl: redis.url, postgresUrl: postgres.url,
        brokerUrl: relay.url, brokerUsername: WORKER.username, brokerPassword: WORKER.password
      }
    })
    worker = await startWorker(config, { log, thresholds: new FixedThresholds() })
  })

  afterAll(async () => {
    await Promise.all(opened.map(async (c) => { await c.endAsync(true) }))
    await app?.endAsync(true)
    await worker?.close()
    await relay?.cut()
    await provisioner?.close()
    await pool?.end()
    await Promise.all([postgres?.stop(), redis?.stop(), broker?.stop()])
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true })
  })

  it('delivers each mqtt row once to the contact\'s push topic, with the machine body, at QoS 1, not retained', async () => {
    const before = pushes.length
    const ids: number[] = []
    for (let n = 1; n <= 10; n++) ids.push(await enqueue(alert(n)))
    await waitFor(() => pushes.length - before >= 10, 10_000, '10 push messages')
    await new Promise((resolve) => setTimeout(resolve, 300)) // a duplicate would arrive now

    const got = pushes.slice(before)
    expect(got).toHaveLength(10)
    expect(new Set(got.map((p) => p.body.id))).toEqual(new Set(ids.map(String)))
    expect(got.every((p) => p.topic === 'anju/v1/push/fam-1' && p.qos === 1 && !p.retain)).toBe(true)
    const first = got.find((p) => p.body.id === String(ids[0]))
    expect(first?.body).toEqual({
      id: String(ids[0]), kind: 'alert', alertId: 'al-1', text: '山下庄 12号 已 3 小时没有活动 (1)', data: { homeId, n: 1 }, ackUrl: null, sentAt: expect.any(Number)
    })
    for (const id of ids) expect(await row(id)).toMatchObject({ attempts: 1, next_attempt_at: null, dead_at: null, last_error: null, delivered_at: expect.anything() })
  })

  it('a device may neither subscribe to push topics nor publish on them', async () => {
    const client = await connectDevice(broker.url, device)
    opened.push(client)
    for (const filter of ['anju/v1/push/fam-1', 'anju/v1/push/#', 'anju/v1/push/+']) {
      await expect(client.subscribeAsync(filter, { qos: 1 }), filter).rejects.toThrow(/Subscribe error/)
    }
    // A forged push: Mosquitto acknowledges it (MQTT 3.1.1 has no negative PUBACK) and routes it nowhere.
    const before = pushes.length
    await client.publishAsync('anju/v1/push/fam-1', JSON.stringify({ id: 'forged', kind: 'alert', text: '假消息' }), { qos: 1 })
    const id = await enqueue(alert(11))
    await waitFor(() => pushes.some((p) => p.body.id === String(id)), 10_000, 'the real push')
    expect(pushes.slice(before).map((p) => p.body.id)).toEqual([String(id)])
  })

  it('while the worker\'s broker connection is down, the row is retried with backoff, then delivered once', async () => {
    await relay.cut()
    const before = pushes.length
    const id = await enqueue(alert(12))
    // The worker's outbox claims it, cannot publish, and puts it back for later: not delivered, not dead.
    const failed = await waitFor(async () => { const r = await row(id); return Number(r.attempts) >= 2 ? r : null }, 10_000, 'two failed attempts')
    expect(failed).toMatchObject({ delivered_at: null, dead_at: null, next_attempt_at: expect.anything(), last_error: expect.stringMatching(/not connected/) })
    expect(pushes.length).toBe(before)

    await relay.restore() // mqtt.js reconnects within its 1 s reconnect period; the next retry goes out
    await waitFor(() => pushes.some((p) => p.body.id === String(id)), 15_000, 'the push after the reconnect')
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(pushes.slice(before).map((p) => p.body.id)).toEqual([String(id)])
    const done = await row(id)
    expect(done).toMatchObject({ dead_at: null, next_attempt_at: null, last_error: null, delivered_at: expect.anything() })
    expect(Number(done.attempts)).toBeGreaterThanOrEqual(3)
  })

  it('a publish lost on a dead path times out and is taken back: after the reconnect the app gets it once', async () => {
    relay.hold() // the worker still looks connected; its publishes reach nobody and no PUBACK comes
    const before = pushes.length
    const id = await enqueue(alert(13))
    // Each attempt waits out the send timeout (2 s here) and is retried; mqtt.js would resend every one of
    // them on reconnect had they not been taken back.
    await waitFor(async () => { const r = await row(id); return Number(r.attempts) >= 2 ? r : null }, 15_000, 'two timed-out attempts')
    expect(await row(id)).toMatchObject({ delivered_at: null, dead_at: null, last_error: expect.stringMatching(/no PUBACK within 2000 ms/) })

    await relay.cut()
    await relay.restore()
    await waitFor(() => pushes.some((p) => p.body.id === String(id)), 15_000, 'the push after the reconnect')
    await new Promise((resolve) => setTimeout(resolve, 500)) // resent copies would arrive now
    expect(pushes.slice(before).map((p) => p.body.id)).toEqual([String(id)])
    expect(await row(id)).toMatchObject({ dead_at: null, next_attempt_at: null, delivered_at: expect.anything() })
  })
})
